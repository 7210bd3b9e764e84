import { loadConfig } from "../config";
import { resyncCommitStatuses, type ResyncReport } from "../commitstatus";
import { logger } from "../log";
import { DynamoStateStore } from "../store";
import { MissingSettingError } from "./errors";
import { createCommitStatusHandler, type ProcessHandlerOptions } from "./batch";
import { clusterKube } from "./kube-access";

export type ResyncHandlerOptions = Pick<ProcessHandlerOptions, "config" | "store" | "kube" | "credentials" | "commitStatusApi"> & {
  recentMs?: number;
};

/**
 * The resync function's core, run on a schedule: catches CommitStatus events
 * the watch or the admission webhook lost, and drift made in the SCM.
 */
export const createResyncHandler = (options: ResyncHandlerOptions = {}) => {
  let ready: Promise<Array<Parameters<typeof resyncCommitStatuses>[0]>> | undefined;
  /** One resync per cluster the config gives access to, each through its own API server. */
  const build = async () => {
    const config = options.config ?? loadConfig(process.env.FEEDBACK_CONFIG);
    const tableName = process.env.TABLE_NAME;
    if (!options.store && !tableName) throw new MissingSettingError("TABLE_NAME");
    const store = options.store ?? new DynamoStateStore({ tableName: tableName! });
    const kube = clusterKube(config, options.kube);
    const handler = createCommitStatusHandler(config, store, kube, options);
    return [config.cluster, ...Object.keys(config.kubernetes.clusters)].map((cluster) => ({
      cluster,
      kube: kube(cluster)!,
      store,
      handler,
      log: logger,
      closeWaitMs: config.processing.closeWaitMs,
      ...(options.recentMs === undefined ? {} : { recentMs: options.recentMs }),
    }));
  };
  return async (): Promise<ResyncReport> => {
    ready ??= build().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const total: ResyncReport = { listed: 0, checked: 0, verdicts: {} };
    const failed: string[] = [];
    for (const clusterOptions of await ready) {
      // One cluster's API server being down does not stop the others' resync.
      const report = await resyncCommitStatuses(clusterOptions).catch((error: unknown) => {
        logger.error("resync of a cluster failed", { cluster: clusterOptions.cluster, error: (error as Error).message });
        failed.push(clusterOptions.cluster);
        return undefined;
      });
      if (!report) continue;
      logger.info("resync done", { cluster: clusterOptions.cluster, ...report });
      total.listed += report.listed;
      total.checked += report.checked;
      for (const [verdict, n] of Object.entries(report.verdicts)) total.verdicts[verdict] = (total.verdicts[verdict] ?? 0) + n;
    }
    if (failed.length > 0 && failed.length === (await ready).length) throw new Error(`resync failed for every cluster: ${failed.join(", ")}`);
    return total;
  };
};
