export { KubeAccessError } from "./errors";
export { kubeConfigProvider, type KubeAccess } from "./client";
export { apiErrorCode, loadClientNode } from "./client-node";
