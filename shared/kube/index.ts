export { KubeAccessError } from "./errors";
export { eksToken, EKS_TOKEN_LIFETIME_MS, type EksTokenOptions } from "./eks-token";
export { kubeConfigProvider, type KubeAccess } from "./client";
export { apiErrorCode, loadClientNode } from "./client-node";
