import type { KubeConfig } from "@kubernetes/client-node";
import { loadClientNode } from "../kube/client-node";
import type { KubeObject } from "../envelope";
import type { Log } from "../log";
import { runWithChannel, type HandlerContext, type ObjectRecord, type RunOutcome } from "../status";
import { StoreKey, type StateStore } from "../store";
import type { CommitStatusHandler } from "./commitstatus-handler";
import { GROUP, VERSION } from "./kube";
import { RECENT_SYNC_MS, resyncNeed } from "./recheck";

export interface ResyncOptions {
  cluster: string;
  kube: () => Promise<KubeConfig>;
  store: StateStore;
  handler: CommitStatusHandler;
  log: Log;
  /** Resources synced more recently than this are re-checked for drift even when finished. */
  recentMs?: number;
  closeWaitMs?: number;
  now?: () => number;
}

export interface ResyncReport {
  listed: number;
  checked: number;
  /** Verdicts by status (Completed, Skip, Retry, …). */
  verdicts: Record<string, number>;
  /** Clusters reached `via: relay` whose relay was asked to send its CommitStatuses again (re-synced by the process function). */
  relisted?: number;
}

type Listed = KubeObject;

/**
 * The scheduled safety net: lists every CommitStatus and re-syncs the ones
 * an event may have been lost for (status behind the spec's generation), and
 * re-reads the SCM for drift on those in flight or synced recently.
 * Finished, settled resources cost a list entry and nothing else.
 */
export const resyncCommitStatuses = async (options: ResyncOptions): Promise<ResyncReport> => {
  const now = options.now ?? Date.now;
  const recentMs = options.recentMs ?? RECENT_SYNC_MS;
  const { CustomObjectsApi } = await loadClientNode();
  const api = (await options.kube()).makeApiClient(CustomObjectsApi);
  const list = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: "commitstatuses" })) as { items?: Listed[] };
  const report: ResyncReport = { listed: list.items?.length ?? 0, checked: 0, verdicts: {} };

  for (const item of list.items ?? []) {
    const object: Listed = { ...item, apiVersion: `${GROUP}/${VERSION}`, kind: "CommitStatus" };
    const { behind, recheck } = resyncNeed(object, now(), recentMs);
    if (!behind && !recheck) continue;
    report.checked++;
    const outcome = await resyncOne(options, object, !behind);
    const log = options.log;
    const verdict = outcome.final.status;
    report.verdicts[verdict] = (report.verdicts[verdict] ?? 0) + 1;
    if (outcome.final.error) log.warn("resync of a CommitStatus did not complete", { name: object.metadata.name, error: outcome.final.error.message });
  }
  return report;
};

/**
 * One CommitStatus through the CommitStatus sync outside its own event: its
 * stored sync record read by its key, a RESYNC envelope of its cluster.
 * `force` re-reads the SCM for drift even when nothing changed.
 */
export const resyncOne = (
  options: Pick<ResyncOptions, "cluster" | "store" | "handler" | "log" | "closeWaitMs" | "now">,
  object: KubeObject,
  force: boolean,
): Promise<RunOutcome> => {
  const key = StoreKey.object(options.cluster, object.metadata.uid);
  const observedAt = new Date((options.now ?? Date.now)()).toISOString();
  return runWithChannel(
    async (ch) => {
      const stored = await options.store.get<ObjectRecord>(key);
      const ctx: HandlerContext = {
        log: options.log,
        envelope: { v: 1, cluster: options.cluster, type: "RESYNC", apiVersion: object.apiVersion, kind: object.kind, object, observedAt },
        messageId: `resync-${object.metadata.uid}`,
        retryCount: 0,
        maxRetries: 0,
        key,
        ...(stored ? { stored } : {}),
      };
      await options.handler.sync(ctx, object, ch, force);
    },
    { handler: options.handler.name, event: `RESYNC ${object.metadata.namespace}/${object.metadata.name}`, log: options.log, closeWaitMs: options.closeWaitMs ?? 2_000 },
  );
};
