import { createHash } from "node:crypto";
import type { PreviousRun } from "./condition";
import { LifecycleEvent } from "./receiver";
import { settleStages } from "./settle";
import { PipelinePhase, isTerminal, phaseRank, type PipelineInfo, type Stage } from "./types";

/** A lifecycle callback's delivery mark for one receiver. */
export interface Mark {
  /**
   * done: delivered; claimed: a call is in flight until `exp`; open: not
   * delivered; failed: given up (permanent error); skipped: the receiver's
   * `when` was false when the callback was due, so it is never made.
   */
  s: "done" | "claimed" | "open" | "failed" | "skipped";
  /** Lease expiry (epoch ms) of a claim. */
  exp?: number;
  /** For a progress claim: the state hash being delivered. */
  h?: string;
}

export interface Deliveries {
  created?: Mark;
  started?: Mark;
  finished?: Mark;
  /** Claim of the progress call in flight. */
  progress?: Mark;
  /** Hash of the last state delivered through updateProgress. */
  ph?: string;
  /** Number of progress calls delivered. */
  pc?: number;
  lastError?: string;
  /** The receiver's memory of the run (`ReceiverContext.memory`). */
  mem?: Record<string, unknown>;
}

/** The last finished run of the same pipeline as a run saw it (`previous` in `when`). */
export interface PreviousLookup {
  /** Absent: no run of the pipeline had finished. */
  run?: PreviousRun;
  /** Looked up when this run finished: kept for good, so a redelivered finish sees the same run. */
  final: boolean;
}

/** A run's state, one DynamoDB item: last accepted info, merged stages, per-receiver deliveries. */
export interface RunState {
  info?: PipelineInfo;
  stages: Stage[];
  deliveries: Record<string, Deliveries>;
  /** Only when a receiver's `when` reads `previous`. */
  previous?: PreviousLookup;
}

export const emptyRunState = (): RunState => ({ stages: [], deliveries: {} });

const stageRank = (stage: Stage): number => phaseRank(stage.phase);

/**
 * Merges stages by name; a stage never moves back to a lower rank. A stage
 * whose phase was inferred at the run's end gives way to the stage's own
 * finished observation.
 */
export const mergeStages = (stored: readonly Stage[], incoming: readonly Stage[]): Stage[] => {
  const merged = new Map(stored.map((s) => [s.name, s]));
  for (const stage of incoming) {
    const old = merged.get(stage.name);
    const observed = old?.inferred && isTerminal(stage.phase) && !stage.inferred;
    if (!old || observed || stageRank(stage) > stageRank(old) || (stageRank(stage) === stageRank(old) && !isTerminal(old.phase))) {
      const { inferred: _inferred, ...rest } = { ...old, ...stage };
      merged.set(stage.name, stage.inferred ? { ...rest, inferred: true } : rest);
    }
  }
  return [...merged.values()];
};

/** The identity of a state for progress: overall phase plus each stage's phase. */
export const stateHash = (info: Pick<PipelineInfo, "phase" | "stages">): string =>
  createHash("sha256")
    .update([info.phase, ...info.stages.map((s) => `${s.name}=${s.phase}`).sort()].join("\n"))
    .digest("base64url")
    .slice(0, 16);

export interface Advance {
  state: RunState;
  /** Lower rank than what is stored: a stale or reordered event. */
  stale: boolean;
  /** The stored state differs from the new one. */
  changed: boolean;
}

/**
 * Folds a new observation of a run into its stored state. The phase only
 * moves up in rank; the first terminal phase wins; stages merge by rank.
 */
export const advance = (state: RunState, incoming: PipelineInfo): Advance => {
  const stored = state.info;
  if (stored && phaseRank(incoming.phase) < phaseRank(stored.phase)) return { state, stale: true, changed: false };
  const phase = stored && isTerminal(stored.phase) ? stored.phase : incoming.phase;
  const message = stored && isTerminal(stored.phase) ? stored.message : incoming.message;
  const stages = settleStages(mergeStages(state.stages, incoming.stages), phase, message);
  const info: PipelineInfo = {
    ...incoming,
    phase,
    stages,
    ...(stored?.startedAt && !incoming.startedAt ? { startedAt: stored.startedAt } : {}),
    ...(stored && isTerminal(stored.phase) ? { finishedAt: stored.finishedAt, message: stored.message } : {}),
  };
  if (stored && stateHash(stored) === stateHash(info)) return { state, stale: false, changed: false };
  return { state: { ...state, info, stages }, stale: false, changed: true };
};

/** Folds a stage seen on a child object (a TaskRun of a PipelineRun) into the parent's state. */
export const advanceStage = (state: RunState, stage: Stage): Advance => {
  // A finished run takes only finished stages: never a Pending stage on a finished run.
  if (state.info && isTerminal(state.info.phase) && !isTerminal(stage.phase)) return { state, stale: true, changed: false };
  const stages = mergeStages(state.stages, [stage]);
  const before = state.info ? stateHash(state.info) : stateHash({ phase: PipelinePhase.Pending, stages: state.stages });
  const info = state.info ? { ...state.info, stages } : undefined;
  const after = stateHash({ phase: info?.phase ?? PipelinePhase.Pending, stages });
  // On a finished run, a stage's own late observation (its duration, its
  // failure reason) is stored; it is posted only if it changes a phase.
  const detailed = info !== undefined && isTerminal(info.phase) && JSON.stringify(stages) !== JSON.stringify(state.stages);
  if (before === after && !detailed) return { state, stale: false, changed: false };
  return { state: { ...state, stages, ...(info ? { info } : {}) }, stale: false, changed: true };
};

/** The callbacks a run's current state calls for, in the promised order. */
export const dueEvents = (info: PipelineInfo): LifecycleEvent[] => {
  const events: LifecycleEvent[] = [LifecycleEvent.Created];
  if (phaseRank(info.phase) >= 1) events.push(LifecycleEvent.Started);
  events.push(LifecycleEvent.Progress);
  if (isTerminal(info.phase)) events.push(LifecycleEvent.Finished);
  return events;
};
