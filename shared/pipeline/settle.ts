import { PipelinePhase, isTerminal, type Stage } from "./types";

/**
 * The tally Tekton writes into a finished PipelineRun's condition message
 * (`pkg/reconciler/pipelinerun/resources/pipelinerunstate.go`,
 * `GetPipelineConditionStatus`): "Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 2".
 */
const TALLY = /Tasks Completed: (\d+) \(Failed: (\d+), Cancelled:? (\d+)\), Skipped: (\d+)/;

const FAILED_LIKE: ReadonlySet<PipelinePhase> = new Set([PipelinePhase.Failed, PipelinePhase.Errored, PipelinePhase.TimedOut]);

/** What the stages not seen finished must have ended as, given the run's own outcome. */
const outcomeOfOpen = (stages: readonly Stage[], open: number, phase: PipelinePhase, message: string | undefined): PipelinePhase => {
  // Every task of a successful run completed successfully (or is listed as skipped).
  if (phase === PipelinePhase.Succeeded) return PipelinePhase.Succeeded;
  const tally = TALLY.exec(message ?? "");
  if (tally) {
    const failed = Number(tally[2]) - stages.filter((s) => FAILED_LIKE.has(s.phase)).length;
    const cancelled = Number(tally[3]) - stages.filter((s) => s.phase === PipelinePhase.Cancelled).length;
    if (failed <= 0 && cancelled <= 0) return PipelinePhase.Succeeded;
    if (failed >= open && cancelled <= 0) return PipelinePhase.Failed;
    if (cancelled >= open && failed <= 0) return PipelinePhase.Cancelled;
  }
  // A cancelled or timed-out run stopped what was still running; otherwise the
  // run's own outcome is the one thing known about them.
  return phase;
};

/**
 * A finished run's report never contradicts its outcome: stages not seen
 * finished (their own events lost, or not yet processed) take their phase
 * from the run's own status, marked `inferred` so that the stage's own
 * event, if it comes later, replaces it.
 */
export const settleStages = (stages: readonly Stage[], phase: PipelinePhase, message?: string): Stage[] => {
  if (!isTerminal(phase)) return [...stages];
  const open = stages.filter((s) => !isTerminal(s.phase)).length;
  if (open === 0) return [...stages];
  const outcome = outcomeOfOpen(stages, open, phase, message);
  return stages.map((s) => (isTerminal(s.phase) ? s : { ...s, phase: outcome, inferred: true }));
};
