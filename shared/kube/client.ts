import type { KubeConfig } from "@kubernetes/client-node";
import { loadClientNode } from "./client-node";
import { KubeAccessError } from "./errors";

/** How the functions reach the cluster's API server. */
export type KubeAccess =
  /** A kubeconfig document (from SSM or Secrets Manager on AWS). */
  | { kind: "kubeconfig"; yaml: string }
  /** EKS with the function's IAM role, mapped to the write-back Role in infra/rbac. */
  | { kind: "eks"; clusterName: string; endpoint: string; caData: string; region: string }
  /** KUBECONFIG, ~/.kube/config or in-cluster: for local runs. */
  | { kind: "default" };

/**
 * Returns a function that yields a ready KubeConfig, rebuilding the EKS token
 * before it expires. Built lazily: most events never touch Kubernetes.
 */
export const kubeConfigProvider = (access: KubeAccess, now: () => number = Date.now): (() => Promise<KubeConfig>) => {
  let cached: { kc: KubeConfig; expires: number } | undefined;
  return async () => {
    if (cached && cached.expires > now()) return cached.kc;
    const { KubeConfig } = await loadClientNode();
    const kc = new KubeConfig();
    try {
      switch (access.kind) {
        case "kubeconfig":
          kc.loadFromString(access.yaml);
          cached = { kc, expires: Number.POSITIVE_INFINITY };
          break;
        case "default":
          kc.loadFromDefault();
          cached = { kc, expires: Number.POSITIVE_INFINITY };
          break;
        case "eks": {
          // The SigV4 signer and the credential chain, only for EKS access.
          const { eksToken, EKS_TOKEN_LIFETIME_MS } = await import("./eks-token");
          const token = await eksToken({ clusterName: access.clusterName, region: access.region });
          kc.loadFromOptions({
            clusters: [{ name: access.clusterName, server: access.endpoint, caData: access.caData, skipTLSVerify: false }],
            users: [{ name: "lambda", token }],
            contexts: [{ name: "eks", cluster: access.clusterName, user: "lambda" }],
            currentContext: "eks",
          });
          cached = { kc, expires: now() + EKS_TOKEN_LIFETIME_MS - 60_000 };
          break;
        }
      }
    } catch (cause) {
      throw new KubeAccessError(`cannot build Kubernetes access (${access.kind}): ${(cause as Error).message}`, { cause });
    }
    return cached.kc;
  };
};
