import { GitRepoCache, KubeCommitStatusApi, RelayCommitStatusApi, type CommitStatusApi } from "../commitstatus";
import { KubernetesVia, type FeedbackConfig } from "../config";
import { operationsQueueUrls, SqsOperationSender, type OperationSender } from "../operations";
import type { StateStore } from "../store";
import { clusterVia, type ClusterKube } from "./kube-access";

/** How the process side reaches clusters whose relay applies its operations (`kubernetes.via: relay`). */
export interface WriteBackOptions {
  /** Where a cluster's operations go; defaults to SQS, with OPERATIONS_QUEUE_URL and OPERATIONS_QUEUE_URLS. */
  operations?: (cluster: string) => OperationSender;
  /** How long a GitRepo asked for waits for its relay's answer before it counts as missing (RELAY_ANSWER_DEFAULTS). */
  answerWaitMs?: number;
}

export interface CommitStatusApisOptions {
  config: FeedbackConfig;
  store: StateStore;
  kube: ClusterKube;
  /** One API for every cluster (unit tests). */
  override?: CommitStatusApi;
  writeBack?: WriteBackOptions;
}

/**
 * Each cluster's API for the CommitStatus sync, built on first use: through
 * its API server (`via: direct`) or through its relay (`via: relay`, no
 * Kubernetes client at all); undefined for a cluster the config names
 * nowhere. The operations queues come from OPERATIONS_QUEUE_URL (the own
 * cluster's, checked at the cold start) and OPERATIONS_QUEUE_URLS.
 */
export const commitStatusApis = (options: CommitStatusApisOptions): ((cluster: string) => CommitStatusApi | undefined) => {
  const { config, store, kube, override, writeBack } = options;
  const apis = new Map<string, CommitStatusApi>();
  const relayed = [config.cluster, ...Object.keys(config.kubernetes.clusters)].filter((c) => clusterVia(config, c) === KubernetesVia.Relay);
  const queueUrl = !override && !writeBack?.operations && relayed.length > 0 ? operationsQueueUrls(config.cluster) : undefined;
  // The own cluster's queue is a setting like QUEUE_URL: without it the cold start stops, naming it.
  if (config.kubernetes.via === KubernetesVia.Relay) queueUrl?.(config.cluster);
  const operationsFor = (cluster: string): OperationSender => {
    if (writeBack?.operations) return writeBack.operations(cluster);
    // Another cluster's missing queue fails only that cluster's events, sent to the DLQ naming the setting.
    let sender: SqsOperationSender | undefined;
    return { send: async (operation) => (sender ??= new SqsOperationSender({ queueUrl: queueUrl!(cluster) })).send(operation) };
  };
  const build = (cluster: string): CommitStatusApi | undefined => {
    switch (clusterVia(config, cluster)) {
      case KubernetesVia.Relay:
        return new RelayCommitStatusApi({
          cluster,
          operations: operationsFor(cluster),
          gitRepos: new GitRepoCache({ store, cluster, ttlSeconds: config.processing.stateTtlDays * 86_400 }),
          ...(writeBack?.answerWaitMs === undefined ? {} : { answerWaitMs: writeBack.answerWaitMs }),
        });
      case KubernetesVia.Direct: {
        const access = kube(cluster);
        return access ? new KubeCommitStatusApi(access) : undefined;
      }
      case undefined:
        return undefined;
    }
  };
  return (cluster) => {
    if (override) return override;
    if (!apis.has(cluster)) {
      const api = build(cluster);
      if (!api) return undefined;
      apis.set(cluster, api);
    }
    return apis.get(cluster);
  };
};
