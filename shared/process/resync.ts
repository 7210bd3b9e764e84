import { KubernetesVia, loadConfig } from "../config";
import { resyncCommitStatuses, type ResyncReport } from "../commitstatus";
import { logger } from "../log";
import { DynamoStateStore } from "../store";
import { MissingSettingError } from "./errors";
import { createCommitStatusHandler, type ProcessHandlerOptions } from "./batch";
import { commitStatusApis } from "./commitstatus-apis";
import { clusterKube, clusterVia } from "./kube-access";

export type ResyncHandlerOptions = Pick<ProcessHandlerOptions, "config" | "store" | "kube" | "credentials" | "commitStatusApi" | "writeBack"> & {
  recentMs?: number;
};

interface ClusterResync {
  cluster: string;
  run(): Promise<ResyncReport>;
}

/**
 * The resync function's core, run on a schedule: catches CommitStatus events
 * the watch or the admission webhook lost, and drift made in the SCM. A
 * cluster reached `via: relay` is not listed here: its relay is asked to
 * send every CommitStatus again, and the process function re-syncs them as
 * this would (shared/commitstatus/recheck.ts).
 */
export const createResyncHandler = (options: ResyncHandlerOptions = {}) => {
  let ready: Promise<ClusterResync[]> | undefined;
  /** One resync per cluster the config gives access to, each through its own API server or its own relay. */
  const build = async (): Promise<ClusterResync[]> => {
    const config = options.config ?? loadConfig(process.env.FEEDBACK_CONFIG);
    const tableName = process.env.TABLE_NAME;
    if (!options.store && !tableName) throw new MissingSettingError("TABLE_NAME");
    const store = options.store ?? new DynamoStateStore({ tableName: tableName! });
    const kube = clusterKube(config, options.kube);
    const apiFor = commitStatusApis({ config, store, kube, override: options.commitStatusApi, writeBack: options.writeBack });
    const handler = createCommitStatusHandler(config, store, kube, options, apiFor);
    return [config.cluster, ...Object.keys(config.kubernetes.clusters)].map((cluster): ClusterResync => {
      if (clusterVia(config, cluster) === KubernetesVia.Relay) {
        const api = apiFor(cluster);
        return {
          cluster,
          run: async () => {
            if (api?.via === "relay") await api.relist();
            return { listed: 0, checked: 0, verdicts: {}, relisted: 1 };
          },
        };
      }
      const clusterOptions = {
        cluster,
        kube: kube(cluster)!,
        store,
        handler,
        log: logger,
        closeWaitMs: config.processing.closeWaitMs,
        ...(options.recentMs === undefined ? {} : { recentMs: options.recentMs }),
      };
      return { cluster, run: () => resyncCommitStatuses(clusterOptions) };
    });
  };
  return async (): Promise<ResyncReport> => {
    ready ??= build().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const total: ResyncReport = { listed: 0, checked: 0, verdicts: {} };
    const failed: string[] = [];
    for (const clusterResync of await ready) {
      // One cluster's API server being down does not stop the others' resync.
      const report = await clusterResync.run().catch((error: unknown) => {
        logger.error("resync of a cluster failed", { cluster: clusterResync.cluster, error: (error as Error).message });
        failed.push(clusterResync.cluster);
        return undefined;
      });
      if (!report) continue;
      logger.info("resync done", { cluster: clusterResync.cluster, ...report });
      total.listed += report.listed;
      total.checked += report.checked;
      if (report.relisted) total.relisted = (total.relisted ?? 0) + report.relisted;
      for (const [verdict, n] of Object.entries(report.verdicts)) total.verdicts[verdict] = (total.verdicts[verdict] ?? 0) + n;
    }
    if (failed.length > 0 && failed.length === (await ready).length) throw new Error(`resync failed for every cluster: ${failed.join(", ")}`);
    return total;
  };
};
