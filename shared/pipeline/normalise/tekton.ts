/**
 * tekton.dev/v1 and v1beta1 PipelineRun and TaskRun → run. What the
 * `Succeeded` condition's reasons mean is in tekton-reasons.ts; how a
 * PipelineRun's tasks become stages is in tekton-stages.ts.
 * https://tekton.dev/docs/pipelines/pipelineruns/#monitoring-execution-status
 * https://tekton.dev/docs/pipelines/taskruns/#monitoring-execution-status
 */
import { isTerminal, PipelinePhase, type NormalisedRun, type Stage } from "../types";
import { compact, record, records, runOf, stringMap, text, type CheckedObject, type JsonObject } from "./read";
import { tektonPhase, willBeRetried } from "./tekton-reasons";
import { pipelineRunStages, runState } from "./tekton-stages";
import { stepFailureOf, stepStages } from "./tekton-steps";

export { tektonPhase };

export const TektonLabel = {
  PipelineRun: "tekton.dev/pipelineRun",
  PipelineTask: "tekton.dev/pipelineTask",
} as const;

/** The PipelineRun a TaskRun belongs to, by name: the label Tekton sets on every TaskRun it creates for one. */
export const taskRunParent = (labels: unknown): string | undefined => text(record(labels)[TektonLabel.PipelineRun]);

/** Whether a PipelineRun is over, as normalisePipelineRun's phase says (standingOf, kinds.ts). */
export const pipelineRunFinished = (spec: JsonObject, status: JsonObject): boolean => isTerminal(tektonPhase(status, text(spec.status)));

/** Whether a TaskRun is over, as normaliseTaskRun's phase says: an end with retries left is not one (standingOf, kinds.ts). */
export const taskRunFinished = (spec: JsonObject, status: JsonObject): boolean => {
  const phase = tektonPhase(status);
  return isTerminal(phase) && !willBeRetried(phase, spec, status);
};

export function normalisePipelineRun(obj: CheckedObject): NormalisedRun {
  const state = runState(obj.status, text(obj.spec.status));
  return runOf(obj, { ...state, stages: pipelineRunStages(obj.status) });
}

export function normaliseTaskRun(obj: CheckedObject): NormalisedRun {
  const finished = runState(obj.status);
  const retried = willBeRetried(finished.phase, obj.spec, obj.status);
  // Not over yet: the next attempt runs under the same TaskRun.
  const state = retried
    ? { phase: PipelinePhase.Running, startedAt: finished.startedAt, message: `attempt ${records(obj.status.retriesStatus).length + 1} ${finished.phase === PipelinePhase.TimedOut ? "timed out" : "failed"}, retrying${finished.message ? `: ${finished.message}` : ""}` }
    : finished;
  const stages = stepStages(obj.status);
  const parentName = taskRunParent(obj.metadata.labels);
  const owner = obj.metadata.ownerReferences.find(
    (ref) => ref.kind === "PipelineRun" && ref.name === parentName,
  );
  const parent = parentName === undefined ? undefined : compact({ kind: "PipelineRun", name: parentName, uid: text(owner?.uid) });
  return runOf(obj, { ...state, stages, parent });
}

/**
 * The stage a child TaskRun contributes to its PipelineRun, named by the
 * `tekton.dev/pipelineTask` label so it lines up with the parent's
 * `childReferences[].pipelineTaskName`. A failed task names the step that
 * failed it, with its exit code and reason (tekton-steps.ts); a retried one
 * is still running and names none.
 */
export function stageOfTaskRun(run: NormalisedRun, obj: unknown): Stage {
  const labels = stringMap(record(record(obj).metadata).labels);
  const name =
    text(labels[TektonLabel.PipelineTask]) ?? text(run.labels[TektonLabel.PipelineTask]) ?? run.name;
  const failure = run.phase === PipelinePhase.Failed ? stepFailureOf(record(record(obj).status)) : {};
  return compact({
    name,
    phase: run.phase,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    message: run.message,
    ...failure,
  });
}
