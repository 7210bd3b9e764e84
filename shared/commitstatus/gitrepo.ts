import type { KubeObject } from "../envelope";
import {
  EventStatus,
  newEventProcessStatus,
  type EventProcessStatus,
  type Handler,
  type HandlerContext,
  type StatusChannel,
} from "../status";
import type { StateStore } from "../store";
import type { CommitStatusHandler } from "./commitstatus-handler";
import type { CommitStatusApi } from "./kube";
import { resyncOne } from "./resync";

export const isGitRepoKind = (apiVersion: string, kind: string): boolean => apiVersion === "commit-status.argoproj.io/v1alpha1" && kind === "GitRepo";

/** CommitStatuses re-synced for one GitRepo event at most; the scheduled resync reaches any beyond. */
export const MAX_RESYNCED_PER_EVENT = 200;
const PAGE = 50;

export interface GitRepoHandlerOptions {
  apiFor(cluster: string): CommitStatusApi | undefined;
  commitStatus: CommitStatusHandler;
  store: StateStore;
  closeWaitMs: number;
}

/**
 * A GitRepo changed (its credentials fixed, its repository moved): re-syncs
 * the CommitStatuses of the same cluster and namespace that reference it, so
 * one blocked by the old GitRepo syncs without being touched. Listed a page
 * at a time and bounded per event. Through the relay (`via: relay`) the
 * GitRepo is remembered (it is read from there) and the relay is asked to
 * send the CommitStatuses again instead.
 */
export class GitRepoHandler implements Handler {
  readonly name = "gitrepo";
  readonly #options: GitRepoHandlerOptions;

  constructor(options: GitRepoHandlerOptions) {
    this.#options = options;
  }

  added(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    return this.#resync(ctx, obj, ch);
  }

  updated(ctx: HandlerContext, newObj: KubeObject, _old: KubeObject | undefined, ch: StatusChannel): Promise<void> {
    return this.#resync(ctx, newObj, ch);
  }

  /** Its CommitStatuses report the missing GitRepo at their next event: nothing to re-sync now. */
  async deleted(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    const api = this.#options.apiFor(ctx.envelope.cluster);
    // Through the relay, what it sent is all the process side knows: a deleted GitRepo must stop counting.
    if (api?.via === "relay") await api.forgetGitRepo(obj);
    await newEventProcessStatus().withStatus(EventStatus.Skip).withMessage("reason", "deleted").skipClose(ch);
  }

  async onStatus(ctx: HandlerContext, status: EventProcessStatus): Promise<void> {
    if (status.status === EventStatus.Failure || status.status === EventStatus.MaxRetryReached) {
      ctx.log.error(`GitRepo re-sync ${status.status}`, { ...status.messages, error: status.error?.message });
    }
  }

  async #resync(ctx: HandlerContext, gitRepo: KubeObject, ch: StatusChannel): Promise<void> {
    const cluster = ctx.envelope.cluster;
    const api = this.#options.apiFor(cluster);
    if (!api) {
      return newEventProcessStatus().withStatus(EventStatus.Failure).withMessage("reason", `no Kubernetes access for cluster "${cluster}"`).sendClose(ch);
    }
    const namespace = gitRepo.metadata.namespace ?? "default";
    if (api.via === "relay") {
      await api.rememberGitRepo(gitRepo);
      // A re-send asked for by a waiting CommitStatus: that one retries by itself, nothing to re-list.
      if (ctx.envelope.resend) return newEventProcessStatus().withMessage("remembered", "resent on request").sendClose(ch);
      // The relay sends them again as RESYNC envelopes, each then synced by its own message.
      await api.relist(namespace, gitRepo.metadata.name);
      return newEventProcessStatus().withMessage("relist", "requested").sendClose(ch);
    }
    const verdicts: Record<string, number> = {};
    let seen = 0;
    let next: string | undefined;
    do {
      const page = await api.listCommitStatuses(namespace, { limit: PAGE, ...(next ? { continue: next } : {}) });
      next = page.continue;
      for (const object of page.items) {
        if (object.spec?.gitRepoRef?.name !== gitRepo.metadata.name || seen >= MAX_RESYNCED_PER_EVENT) continue;
        seen++;
        const { commitStatus: handler, store, closeWaitMs } = this.#options;
        const outcome = await resyncOne({ cluster, store, handler, log: ctx.log, closeWaitMs }, object, false);
        verdicts[outcome.final.status] = (verdicts[outcome.final.status] ?? 0) + 1;
      }
    } while (next && seen < MAX_RESYNCED_PER_EVENT);
    const status = newEventProcessStatus().withMessage("resynced", String(seen));
    for (const [verdict, count] of Object.entries(verdicts)) status.withMessage(verdict, String(count));
    // A CommitStatus whose sync must be retried is retried by its own next event or the scheduled resync.
    return status.withStatus(EventStatus.Completed).sendClose(ch);
  }
}
