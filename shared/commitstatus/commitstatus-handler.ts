import type { KubeObject } from "../envelope";
import type { ProcessingConfig } from "../config";
import { isRetryable } from "../errors";
import {
  EventStatus,
  newEventProcessStatus,
  type EventProcessStatus,
  type Handler,
  type HandlerContext,
  type ObjectRecord,
  type StatusChannel,
} from "../status";
import { storedAfterConflict, VersionConflictError, type StateStore } from "../store";
import { GitRepoPendingError, WriteBackConflictError } from "./errors";
import type { CommitStatusApi } from "./kube";
import { resyncNeed } from "./recheck";
import { failedStatus, syncedStatus, type SyncRecord } from "./status";
import { SyncOutcome, syncCommitStatus, type SyncDeps } from "./sync";

interface SyncItem extends ObjectRecord {
  sync?: SyncRecord;
}

export interface CommitStatusHandlerOptions extends Omit<SyncDeps, "api"> {
  /**
   * The Kubernetes API of the envelope's own cluster, for its GitRepo reads
   * and its write-back; undefined when the config gives no access to it.
   */
  apiFor(cluster: string): CommitStatusApi | undefined;
  store: StateStore;
  processing: Pick<ProcessingConfig, "stateTtlDays">;
  now?: () => Date;
}

export const isCommitStatusKind = (apiVersion: string, kind: string): boolean =>
  apiVersion === "commit-status.argoproj.io/v1alpha1" && kind === "CommitStatus";

const MAX_SAVE_ATTEMPTS = 4;

const alreadyReported = (obj: KubeObject, message: string): boolean => {
  const status = (obj.status ?? {}) as { observedGeneration?: number; isSynced?: boolean; syncFailure?: { message?: string } };
  return status.observedGeneration === (obj.metadata.generation ?? 0) && status.isSynced === false && status.syncFailure?.message === message;
};

/**
 * Mirrors CommitStatus resources into their SCM and writes what the SCM now
 * shows back to the resource's status. The SCM write is remembered before
 * the write-back, so a failed write-back is retried without writing the SCM
 * again.
 */
export class CommitStatusHandler implements Handler {
  readonly name = "commitstatus";
  readonly #options: CommitStatusHandlerOptions;
  readonly #now: () => Date;

  constructor(options: CommitStatusHandlerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  added(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    return this.sync(ctx, obj, ch, this.#resyncOnRequest(ctx, obj));
  }

  updated(ctx: HandlerContext, newObj: KubeObject, _old: KubeObject | undefined, ch: StatusChannel): Promise<void> {
    return this.sync(ctx, newObj, ch, this.#resyncOnRequest(ctx, newObj));
  }

  /** Deleting the resource leaves the SCM as it is: a commit's history is not rewritten. */
  async deleted(_ctx: HandlerContext, _obj: KubeObject, ch: StatusChannel): Promise<void> {
    await newEventProcessStatus().withStatus(EventStatus.Skip).withMessage("reason", "deleted").skipClose(ch);
  }

  async onStatus(ctx: HandlerContext, status: EventProcessStatus): Promise<void> {
    if (status.status === EventStatus.Failure || status.status === EventStatus.MaxRetryReached) {
      ctx.log.error(`commit status sync ${status.status}`, { ...status.messages, error: status.error?.message });
    }
  }

  /** One sync; `force` re-checks the SCM for drift when nothing changed (resync). */
  async sync(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel, force = false): Promise<void> {
    const stored = ctx.stored as { version: number; data: SyncItem } | undefined;
    const { namespace = "default", name } = obj.metadata;
    const generation = obj.metadata.generation ?? 0;
    const target = { uid: obj.metadata.uid, generation };
    const cluster = ctx.envelope.cluster;
    const api = this.#options.apiFor(cluster);
    if (!api) {
      // Not synced at all: another cluster's API server must never see this object.
      return newEventProcessStatus().withStatus(EventStatus.Failure).withMessage("reason", `no Kubernetes access for cluster "${cluster}"`).sendClose(ch);
    }
    let result;
    try {
      result = await syncCommitStatus(obj, stored?.data.sync, { ...this.#options, api, log: ctx.log }, force);
    } catch (error) {
      if (!isRetryable(error)) {
        const message = `the SCM refused the status: ${(error as Error).message}`;
        await api.patchStatus(namespace, name, failedStatus(message, "ScmRefused", generation, this.#now()), target);
        return newEventProcessStatus().withStatus(EventStatus.Failure).withMessage("reason", "SCM refused").withError(error).sendClose(ch);
      }
      const retry = newEventProcessStatus().withStatus(EventStatus.Retry).withError(error);
      // Waiting for the relay to send the GitRepo is not a failure: it never uses up the retries.
      if (error instanceof GitRepoPendingError) retry.withMessage("waiting", error.gitRepo).withMaxRetry(Math.max(ctx.maxRetries, ctx.retryCount + 1));
      return retry.sendClose(ch);
    }

    try {
      switch (result.kind) {
        case SyncOutcome.Skip:
          return await newEventProcessStatus().withStatus(EventStatus.Skip).withMessage("reason", result.reason).skipClose(ch);
        case SyncOutcome.Blocked:
        case SyncOutcome.DriftReported: {
          const reason = result.kind === SyncOutcome.DriftReported ? "Drift" : result.reason;
          // Our own write-back comes back as a watch event: report each failure once per generation.
          if (!alreadyReported(obj, result.message)) {
            await api.patchStatus(namespace, name, failedStatus(result.message, reason, generation, this.#now()), target);
          }
          return await newEventProcessStatus().withMessage(reason, result.message).sendClose(ch);
        }
        case SyncOutcome.Written:
          await this.#save(ctx, obj, result.record);
          await api.patchStatus(namespace, name, syncedStatus(result.record, this.#now(), result.drift), target);
          return await newEventProcessStatus().withMessage("written", result.record.phase).sendClose(ch);
        case SyncOutcome.WriteBack:
          await api.patchStatus(namespace, name, syncedStatus(result.record, this.#now()), target);
          return await newEventProcessStatus().withMessage("written back", result.record.phase).sendClose(ch);
      }
    } catch (error) {
      if (error instanceof WriteBackConflictError || error instanceof VersionConflictError) {
        return newEventProcessStatus().withStatus(EventStatus.Retry).withError(error).sendClose(ch);
      }
      throw error;
    }
  }

  /**
   * A CommitStatus its relay sent again on request (`via: relay`: the
   * scheduled resync or a GitRepo change asked for it) is treated as the
   * resync would treat it listed: re-read in the SCM for drift when in
   * flight or synced recently.
   */
  #resyncOnRequest(ctx: HandlerContext, obj: KubeObject): boolean {
    if (ctx.envelope.type !== "RESYNC" || ctx.envelope.resend === undefined) return false;
    return resyncNeed(obj, this.#now().getTime()).recheck;
  }

  /** Remembers what was written; on a lost race retries against the stored item (read only when the conflict carries none). */
  async #save(ctx: HandlerContext, obj: KubeObject, record: SyncRecord): Promise<void> {
    const ttl = this.#options.processing.stateTtlDays * 86_400;
    let item = ctx.stored as { version: number; data: SyncItem } | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#options.store.put(ctx.key, { ...item?.data, object: obj, sync: record }, item?.version, ttl);
        return;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt + 1 >= MAX_SAVE_ATTEMPTS) throw error;
        item = await storedAfterConflict<SyncItem>(this.#options.store, error);
      }
    }
  }
}
