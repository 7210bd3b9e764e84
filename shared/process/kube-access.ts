import type { KubeConfig } from "@kubernetes/client-node";
import { KubernetesVia, type FeedbackConfig } from "../config";
import { kubeConfigProvider, type KubeAccess } from "../kube";
import { resolveSecret } from "../secrets";

/** One cluster's access as the config gives it: a kubeconfig reference, EKS, or neither (KUBECONFIG / in-cluster). */
type AccessSettings = Pick<FeedbackConfig["kubernetes"], "kubeconfig" | "eks">;

/** Access settings with a kubeconfig reference read; `field` names the key in messages. */
export const kubeAccess = async ({ kubeconfig, eks }: AccessSettings, field = "kubernetes.kubeconfig"): Promise<KubeAccess> => {
  if (eks) return { kind: "eks", ...eks };
  if (kubeconfig) return { kind: "kubeconfig", yaml: await resolveSecret(kubeconfig, { field }) };
  return { kind: "default" };
};

/**
 * Kubernetes access built on first use. An unreadable kubeconfig reference
 * fails only what needs the cluster (the CommitStatus sync), and is read
 * again on the next use, never at the cost of the pipeline receivers.
 */
export const lazyKube = (settings: AccessSettings, field?: string): (() => Promise<KubeConfig>) => {
  let provider: Promise<() => Promise<KubeConfig>> | undefined;
  return async () => {
    provider ??= kubeAccess(settings, field)
      .then((access) => kubeConfigProvider(access))
      .catch((error: unknown) => {
        provider = undefined;
        throw error;
      });
    return (await provider)();
  };
};

/** Kubernetes access per cluster name; undefined for a cluster the config gives no access to. */
export type ClusterKube = (cluster: string) => (() => Promise<KubeConfig>) | undefined;

/** How the config reaches `cluster`: `direct`, `relay`, or undefined for a cluster it names nowhere. */
export const clusterVia = (config: FeedbackConfig, cluster: string): KubernetesVia | undefined => {
  if (cluster === config.cluster) return config.kubernetes.via;
  if (!Object.hasOwn(config.kubernetes.clusters, cluster)) return undefined;
  return config.kubernetes.clusters[cluster]!.via ?? KubernetesVia.Direct;
};

/**
 * The config's own `cluster` uses the single form (or `own`, when given);
 * every other cluster only what `kubernetes.clusters` names. A cluster
 * missing there is reached by nothing: its objects never go to another
 * cluster's API server. A cluster reached `via: relay` gets no access at
 * all: no client is ever built for it, `own` is not even kept.
 */
export const clusterKube = (config: FeedbackConfig, own?: () => Promise<KubeConfig>): ClusterKube => {
  const byCluster = new Map<string, () => Promise<KubeConfig>>();
  if (config.kubernetes.via === KubernetesVia.Direct) byCluster.set(config.cluster, own ?? lazyKube(config.kubernetes));
  for (const [name, access] of Object.entries(config.kubernetes.clusters)) {
    if ((access.via ?? KubernetesVia.Direct) === KubernetesVia.Direct) byCluster.set(name, lazyKube(access, `kubernetes.clusters.${name}.kubeconfig`));
  }
  return (cluster) => byCluster.get(cluster);
};

/**
 * The receivers' Kubernetes access (ServiceContext.kube): the own cluster's,
 * or, when that is reached through its relay, one that refuses with the
 * reason, so nothing on the process side reaches a private API server.
 */
export const receiverKube = (config: FeedbackConfig, kube: ClusterKube): (() => Promise<KubeConfig>) =>
  kube(config.cluster) ??
  (async () => {
    throw new Error(`kubernetes.via is relay for cluster "${config.cluster}": the process side has no Kubernetes access`);
  });
