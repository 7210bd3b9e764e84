import { loadConfig } from "../config";
import { resyncCommitStatuses, type ResyncReport } from "../commitstatus";
import { logger } from "../log";
import { DynamoStateStore } from "../store";
import { MissingSettingError } from "./errors";
import { createCommitStatusHandler, lazyKube, type ProcessHandlerOptions } from "./handler";

export type ResyncHandlerOptions = Pick<ProcessHandlerOptions, "config" | "store" | "kube" | "credentials" | "commitStatusApi"> & {
  recentMs?: number;
};

/**
 * The resync function's core, run on a schedule: catches CommitStatus events
 * the watch or the admission webhook lost, and drift made in the SCM.
 */
export const createResyncHandler = (options: ResyncHandlerOptions = {}) => {
  let ready: Promise<Parameters<typeof resyncCommitStatuses>[0]> | undefined;
  const build = async () => {
    const config = options.config ?? loadConfig(process.env.FEEDBACK_CONFIG);
    const tableName = process.env.TABLE_NAME;
    if (!options.store && !tableName) throw new MissingSettingError("TABLE_NAME");
    const store = options.store ?? new DynamoStateStore({ tableName: tableName! });
    const kube = options.kube ?? lazyKube(config);
    return {
      cluster: config.cluster,
      kube,
      store,
      handler: createCommitStatusHandler(config, store, kube, options),
      log: logger,
      closeWaitMs: config.processing.closeWaitMs,
      ...(options.recentMs === undefined ? {} : { recentMs: options.recentMs }),
    };
  };
  return async (): Promise<ResyncReport> => {
    ready ??= build().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const report = await resyncCommitStatuses(await ready);
    logger.info("resync done", { ...report });
    return report;
  };
};
