/**
 * `previous` of a receiver's `when`: the last finished run of the same
 * pipeline. Runs of one pipeline share the cluster and the status name
 * (`{{namespace}}/{{name}}` with the run's stable name, or its
 * `commit-status.argoproj.io/status-name` annotation), the name the `scm`
 * receiver's default gives their commit status; one name for every
 * receiver, so a run's finish is one record whatever the receivers post.
 *
 * The record of a pipeline's last finish is written when a run finishes and
 * carries the run before it, so a run whose finish is already recorded (the
 * finished event redelivered, or handled again after a crash) still sees the
 * run before itself, never its own finish. What a run saw is kept in its own
 * state once it finished.
 */
import { StoreKey, storedAfterConflict, VersionConflictError, type StateStore } from "../store";
import type { PreviousRun } from "./condition";
import type { RunState } from "./lifecycle";
import { DEFAULT_STATUS_NAME, statusName } from "./run-name";
import { isTerminal, type PipelineInfo } from "./types";

/** The item under `StoreKey.lastFinished`. */
interface FinishRecord extends PreviousRun {
  uid: string;
  /** The finish this one replaced. */
  before?: PreviousRun;
}

const MAX_WRITE_ATTEMPTS = 4;

const keyOf = (info: PipelineInfo): string => StoreKey.lastFinished(info.cluster, statusName(DEFAULT_STATUS_NAME, info));

/** What a run sees as `previous` in the record: the run before it once its own finish is there. */
const seenIn = (record: FinishRecord | undefined, uid: string): PreviousRun | undefined => {
  if (!record) return undefined;
  if (record.uid === uid) return record.before;
  return { phase: record.phase, finishedAt: record.finishedAt };
};

export class PreviousRuns {
  readonly #store: StateStore;
  readonly #ttlSeconds: number;

  constructor(store: StateStore, ttlSeconds: number) {
    this.#store = store;
    this.#ttlSeconds = ttlSeconds;
  }

  /**
   * `state` with `previous` looked up: when the run has finished (and its
   * finish recorded for the runs after it), or before that when no lookup
   * was made yet. A lookup made at the finish is final and never repeated.
   */
  async lookUp(state: RunState, now: number): Promise<RunState> {
    const info = state.info;
    if (!info || state.previous?.final) return state;
    const finished = isTerminal(info.phase);
    if (!finished && state.previous) return state;
    const run = finished ? await this.#recordFinish(info, now) : seenIn((await this.#store.get<FinishRecord>(keyOf(info)))?.data, info.uid);
    return { ...state, previous: { ...(run ? { run } : {}), final: finished } };
  }

  /** Records the run's finish unless a later one is there; returns the finish before it. */
  async #recordFinish(info: PipelineInfo, now: number): Promise<PreviousRun | undefined> {
    const key = keyOf(info);
    const own: PreviousRun = { phase: info.phase, finishedAt: info.finishedAt ?? new Date(now).toISOString() };
    let item = await this.#store.get<FinishRecord>(key);
    for (let attempt = 0; ; attempt++) {
      const record = item?.data;
      if (record?.uid === info.uid) return record.before;
      if (record && Date.parse(record.finishedAt) > Date.parse(own.finishedAt)) {
        // A later run of the pipeline was handled first (two runs' events are
        // not ordered): it stays the last finish; this run's previous is the
        // one before it, if that one finished before this run.
        const before = record.before;
        return before && Date.parse(before.finishedAt) < Date.parse(own.finishedAt) ? before : undefined;
      }
      const before = seenIn(record, info.uid);
      try {
        await this.#store.put<FinishRecord>(key, { uid: info.uid, ...own, ...(before ? { before } : {}) }, item?.version, this.#ttlSeconds);
        return before;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt + 1 >= MAX_WRITE_ATTEMPTS) throw error;
        // Another run of the pipeline finished at the same time: decide again against its record.
        item = await storedAfterConflict<FinishRecord>(this.#store, error);
      }
    }
  }
}
