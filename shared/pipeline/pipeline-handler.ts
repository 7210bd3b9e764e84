import { compileSelector, type FeedbackConfig, type RunMatcher } from "../config";
import type { KubeObject } from "../envelope";
import type { Log } from "../log";
import { DeliveryOutcome, recordDelivery } from "../metrics";
import { LifecycleEvent, transientMemory, type ConfiguredReceiver, type Receiver } from "./receiver";
import { combineRetries, isRetryable } from "../errors";
import { EventStatus, newEventProcessStatus, type EventProcessStatus, type Handler, type HandlerContext, type StatusChannel } from "../status";
import { StoreKey, storedAfterConflict, VersionConflictError, type StateStore, type StoredItem } from "../store";
import { planClaims, settleAssignments, type CallResult, type PlannedCall } from "./deliveries";
import { compileCondition, type Condition } from "./condition";
import { InvalidObjectError, UnsupportedKindError } from "./errors";
import { isOptedIn } from "./git";
import { ownerUid, toPipelineInfo, withStageLinks } from "./info";
import { advance, advanceStage, dueEvents, stateHash, type Advance, type RunState } from "./lifecycle";
import { runAssignments, runRecord, runStateOf, type RunRecord } from "./run-record";
import { normalise, stageOfTaskRun } from "./normalise";
import { TektonLabel } from "./normalise/tekton";
import { PreviousRuns } from "./previous";
import { isTerminal, type PipelineInfo } from "./types";

export interface PipelineHandlerOptions {
  config: FeedbackConfig;
  store: StateStore;
  receivers: readonly ConfiguredReceiver[];
  now?: () => number;
}

const MAX_WRITE_ATTEMPTS = 4;

/**
 * True when a new state differs from the stored one only in the run's info
 * and stages: no mark, no `previous`. Such a state is not written when the
 * object's next versions carry it again: a PipelineRun's, Job's or
 * Workflow's status is whole in every version, and a TaskRun that started
 * ends in a version that says when it started. A TaskRun's end is always
 * written: the stage table's only source.
 */
const sameRecord = (stored: RunState, next: RunState): boolean =>
  JSON.stringify(stored.deliveries) === JSON.stringify(next.deliveries) && JSON.stringify(stored.previous) === JSON.stringify(next.previous);

const CALLBACK = {
  [LifecycleEvent.Created]: (r: Receiver) => r.whenCreated.bind(r),
  [LifecycleEvent.Started]: (r: Receiver) => r.whenStarted.bind(r),
  [LifecycleEvent.Progress]: (r: Receiver) => r.updateProgress.bind(r),
  [LifecycleEvent.Finished]: (r: Receiver) => r.whenFinished.bind(r),
} as const;

/**
 * Turns watch events of CI runs into receiver callbacks, exactly once per
 * lifecycle event and receiver. Two writes per event that calls anything
 * (claims with the new state, then the marks), none for an event that
 * changes nothing.
 */
export class PipelineHandler implements Handler {
  readonly name = "pipeline";
  readonly #config: FeedbackConfig;
  readonly #store: StateStore;
  /** Each receiver with its selector compiled once here, not parsed again for every event. */
  readonly #receivers: ReadonlyMap<string, ConfiguredReceiver & { readonly selects: RunMatcher; readonly condition?: Condition; readonly whenPath?: string }>;
  readonly #now: () => number;
  readonly #previousRuns: PreviousRuns;
  /** Receivers whose `when` failed at run time and said so: once each, not once per event. */
  readonly #warned = new Set<string>();

  constructor(options: PipelineHandlerOptions) {
    this.#config = options.config;
    this.#store = options.store;
    this.#receivers = new Map(options.receivers.map((r) => [r.receiver.name, { ...r, selects: compileSelector(r.entry.selector), ...this.#conditionOf(r) }]));
    this.#previousRuns = new PreviousRuns(this.#store, this.#config.processing.stateTtlDays * 86_400);
    this.#now = options.now ?? Date.now;
  }

  /** A TaskRun of a PipelineRun folds into its parent's item: its own item is never read. */
  readsStored(obj: KubeObject): boolean {
    return !(obj.kind === "TaskRun" && Boolean(obj.metadata.labels?.[TektonLabel.PipelineRun]));
  }

  added(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    return this.#handle(ctx, obj, false, ch);
  }

  updated(ctx: HandlerContext, newObj: KubeObject, _oldObj: KubeObject | undefined, ch: StatusChannel): Promise<void> {
    return this.#handle(ctx, newObj, false, ch);
  }

  deleted(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    return this.#handle(ctx, obj, true, ch);
  }

  async onStatus(ctx: HandlerContext, status: EventProcessStatus): Promise<void> {
    const level = status.status === EventStatus.Failure || status.status === EventStatus.MaxRetryReached ? "error" : "debug";
    ctx.log[level](`pipeline event ${status.status}`, { ...status.messages, error: status.error?.message });
  }

  async #handle(ctx: HandlerContext, obj: KubeObject, deleted: boolean, ch: StatusChannel): Promise<void> {
    let run;
    try {
      run = normalise(obj);
    } catch (error) {
      if (error instanceof UnsupportedKindError) {
        return newEventProcessStatus().withStatus(EventStatus.Skip).withMessage("reason", error.message).skipClose(ch);
      }
      if (error instanceof InvalidObjectError) {
        return newEventProcessStatus().withStatus(EventStatus.Failure).withMessage("reason", "invalid object").withError(error).sendClose(ch);
      }
      throw error;
    }
    if (this.#config.processing.optIn && !isOptedIn(run.annotations, run.labels)) {
      return newEventProcessStatus().withStatus(EventStatus.Skip).withMessage("reason", "not opted in").skipClose(ch);
    }

    const cluster = ctx.envelope.cluster;
    if (run.parent) {
      const parentUid = ownerUid(obj, run.parent.kind) ?? run.parent.uid;
      if (!parentUid || deleted) {
        const reason = deleted ? "child deleted" : `no ${run.parent.kind} owner reference`;
        return newEventProcessStatus().withStatus(EventStatus.Skip).withMessage("reason", reason).skipClose(ch);
      }
      const stage = stageOfTaskRun(run, obj);
      // A stage that only started is carried again by its TaskRun's next version; its end is written.
      return this.#fold(ctx, StoreKey.object(cluster, parentUid), undefined, (s) => advanceStage(s, stage), ch, !isTerminal(stage.phase));
    }
    const info = toPipelineInfo(cluster, run, { dashboardUrl: this.#config.processing.dashboardUrl, deleted });
    return this.#fold(ctx, ctx.key, ctx.stored ?? null, (s) => advance(s, info), ch, true);
  }

  /**
   * Reads (or reuses) the run item, folds the event in, claims the due
   * callbacks with a conditional write, calls them, records the outcome.
   * `known` is the item the caller already read (`null`: known absent). A
   * lost write retries against the item the conflict carries, read only
   * when it carries none. `carriedAgain`: what the event adds is carried by
   * the object's next versions too, so a state no receiver is told about
   * need not be written (`sameRecord`).
   */
  async #fold(
    ctx: HandlerContext,
    key: string,
    known: StoredItem<RunRecord> | null | undefined,
    fold: (state: RunState) => Advance,
    ch: StatusChannel,
    carriedAgain: boolean,
  ): Promise<void> {
    let item = known === undefined ? await this.#store.get<RunRecord>(key) : (known ?? undefined);
    let reread = false;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const stored = runStateOf(item);
      const adv = fold(stored);
      if (adv.stale) {
        return newEventProcessStatus().withStatus(EventStatus.Skip).withMessage("reason", "stale event").skipClose(ch);
      }
      const now = this.#now();
      const info = adv.state.info;
      const names = info ? this.#applicable(info) : [];
      const state = await this.#withPrevious(adv.state, names, now);
      const audience = { hears: (name: string, event: LifecycleEvent) => this.#hears(ctx.log, state, name, event), progressKey: this.#progressKey };
      const plan = planClaims(state, names, now, this.#config.processing.leaseSeconds * 1000, audience);
      if (plan.calls.length === 0 && (!adv.changed || (carriedAgain && item !== undefined && sameRecord(stored, plan.state)))) {
        if (plan.blocked.length > 0) {
          // Judged on the table's item, not a kept copy (store/cache.ts): an older copy could wait out a settled lease.
          if (!reread && this.#store.forget?.(key)) {
            reread = true;
            item = await this.#store.get<RunRecord>(key);
            continue;
          }
          return this.#retryBlocked(plan.blocked, ch);
        }
        return newEventProcessStatus().withStatus(EventStatus.Skip).withMessage("reason", adv.changed ? "nothing to tell" : "no change").skipClose(ch);
      }
      // Other fields of the item are kept; an object stored by an earlier version is dropped.
      const { object: _dropped, ...kept } = item?.data ?? {};
      const data: RunRecord = { ...kept, ...runRecord(plan.state, new Date(now).toISOString()) };
      try {
        await this.#store.put(key, data, item?.version, this.#config.processing.stateTtlDays * 86_400);
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        if (attempt + 1 < MAX_WRITE_ATTEMPTS) item = await storedAfterConflict<RunRecord>(this.#store, error);
        continue;
      }
      const results = await Promise.all(plan.calls.map((call) => this.#call(ctx, call, plan.state)));
      await this.#store.setPaths(key, runAssignments(settleAssignments(results)));
      return this.#verdict(results, plan.blocked, ch);
    }
    return newEventProcessStatus()
      .withStatus(EventStatus.Retry)
      .withError(new VersionConflictError(key, undefined))
      .sendClose(ch);
  }

  #applicable(info: PipelineInfo): string[] {
    return [...this.#receivers.values()].filter((r) => r.selects(info)).map((r) => r.receiver.name);
  }

  /** The receiver's `when`, compiled once (the receivers were built from the same config, so it compiles). */
  #conditionOf(r: ConfiguredReceiver): { condition?: Condition; whenPath?: string } {
    if (r.entry.when === undefined) return {};
    const whenPath = `receivers[${this.#config.receivers.findIndex((entry) => entry.name === r.entry.name)}].when`;
    return { condition: compileCondition(r.entry.when, whenPath), whenPath };
  }

  /**
   * The state with `previous` looked up, only when a receiver of the run
   * reads it: always at the finish (recorded for the runs after it), before
   * that only if a due callback's `when` comes to `previous` at all, so the
   * "fixed" example (`event == "finished" && …`) reads it once per run.
   */
  #withPrevious(state: RunState, names: readonly string[], now: number): Promise<RunState> | RunState {
    const info = state.info;
    if (!info) return state;
    const readers = names.flatMap((name) => this.#receivers.get(name)?.condition ?? []).filter((c) => c.readsPrevious);
    if (readers.length === 0) return state;
    if (!isTerminal(info.phase) && !readers.some((c) => dueEvents(info).some((event) => c.readsPreviousOn(event, info)))) return state;
    return this.#previousRuns.lookUp(state, now);
  }

  /**
   * The receiver's progress identity of a run: its own, else the phases of
   * the run and its stages; one that takes no progress calls has one
   * identity for every state, so a new state changes none of its marks.
   */
  readonly #progressKey = (name: string, info: PipelineInfo): string => {
    const receiver = this.#receivers.get(name)?.receiver;
    if (receiver?.handles?.(LifecycleEvent.Progress) === false) return "-";
    return receiver?.progressKey?.(info) ?? stateHash(info);
  };

  /** The receiver's `events` and `when` for one callback; a `when` that fails at run time is false, and said once. */
  #hears(log: Log, state: RunState, name: string, event: LifecycleEvent): boolean {
    const { condition, whenPath, receiver } = this.#receivers.get(name) ?? {};
    if (receiver?.handles?.(event) === false) return false;
    if (!condition) return true;
    const answer = condition.test(event, state.info!, state.previous?.run);
    if (!(answer instanceof Error)) return answer;
    if (!this.#warned.has(name)) {
      this.#warned.add(name);
      log.warn(`${whenPath} of receiver ${name} failed on a run and is taken as false`, { receiver: name, event, error: answer.message });
    }
    return false;
  }

  async #call(ctx: HandlerContext, call: PlannedCall, state: RunState): Promise<CallResult> {
    const { receiver } = this.#receivers.get(call.receiver)!;
    const info = withStageLinks(state.info!, this.#config.processing.stageUrl);
    const progressCount = state.deliveries[call.receiver]?.pc ?? 0;
    const memory = transientMemory(state.deliveries[call.receiver]?.mem);
    const remembered = memory.value;
    const result = (outcome: Omit<CallResult, "call" | "progressCount" | "memory">): CallResult => ({
      call,
      progressCount,
      ...outcome,
      ...(memory.value !== remembered && memory.value ? { memory: memory.value } : {}),
    });
    let delivered = 0;
    for (const event of call.events) {
      // Only the call's first callback may repeat a lost one: the later ones follow it in this call.
      const repeat = call.repeat === true && delivered === 0;
      try {
        await CALLBACK[event](receiver)({ log: ctx.log, event, memory, ...(repeat ? { repeat } : {}) }, info);
        delivered++;
        recordDelivery(call.receiver, event, DeliveryOutcome.Delivered);
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        const permanent = !isRetryable(err);
        recordDelivery(call.receiver, event, permanent ? DeliveryOutcome.FailedPermanently : DeliveryOutcome.Failed);
        ctx.log.warn(`receiver ${call.receiver} failed on ${event}`, { receiver: call.receiver, event, error: err.message });
        return result({ delivered, error: err, permanent });
      }
    }
    return result({ delivered });
  }

  #retryBlocked(blocked: readonly string[], ch: StatusChannel): Promise<void> {
    return newEventProcessStatus()
      .withStatus(EventStatus.Retry)
      .withMessage("waiting", `a call is in flight for ${blocked.join(", ")}`)
      .sendClose(ch);
  }

  #verdict(results: readonly CallResult[], blocked: readonly string[], ch: StatusChannel): Promise<void> {
    const builder = newEventProcessStatus();
    for (const r of results) builder.withMessage(r.call.receiver, `${r.call.events.slice(0, r.delivered).join(",") || "-"}${r.error ? ` (failed: ${r.error.message})` : ""}`);
    const retryable = results.filter((r) => r.error && !r.permanent);
    const failed = results.filter((r) => r.error);
    if (retryable.length === 0 && blocked.length === 0) {
      return builder.withStatus(failed.length ? EventStatus.PartialCompleted : EventStatus.Completed).sendClose(ch);
    }
    // Every retryable failure counts: the message waits for the longest of their waits.
    const error = combineRetries(retryable.map((r) => r.error!));
    if (error) builder.withError(error);
    if (blocked.length) builder.withMessage("waiting", blocked.join(","));
    const anyDelivered = results.some((r) => r.delivered > 0);
    return builder.withStatus(anyDelivered ? EventStatus.PartialCompleted : EventStatus.Retry).withRetry().sendClose(ch);
  }
}
