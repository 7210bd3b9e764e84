/**
 * tekton.dev/v1 and v1beta1 PipelineRun and TaskRun → run.
 *
 * Both kinds report their outcome in one knative-style `Succeeded` condition:
 * Unknown while in progress, True on success, False on any other end; the
 * reason says which end it was.
 * https://tekton.dev/docs/pipelines/pipelineruns/#monitoring-execution-status
 * https://tekton.dev/docs/pipelines/taskruns/#monitoring-execution-status
 */
import { PipelinePhase, type NormalisedRun, type Stage } from "../types";
import {
  compact,
  conditions,
  isRecord,
  record,
  records,
  runOf,
  stringMap,
  text,
  type CheckedObject,
  type Condition,
  type JsonObject,
} from "./read";

export const TektonLabel = {
  PipelineRun: "tekton.dev/pipelineRun",
  PipelineTask: "tekton.dev/pipelineTask",
} as const;

/**
 * False reasons that are not plain failures. Cancellation comes in three
 * flavours (`spec.status: Cancelled`, `CancelledRunFinally`, `StoppedRunFinally`)
 * and TaskRuns cancelled with their PipelineRun say `TaskRunCancelled`.
 * https://tekton.dev/docs/pipelines/pipelineruns/#cancelling-a-pipelinerun
 */
const CANCELLED = new Set(["Cancelled", "StoppedRunFinally", "CancelledRunFinally", "TaskRunCancelled"]);
const TIMED_OUT = new Set(["PipelineRunTimeout", "TaskRunTimeout"]);

/**
 * Reasons for a run that never ran its tasks because its definition could not
 * be fetched, resolved or validated: a problem with the run, not with the code
 * under test. Names from pkg/apis/pipeline/v1/pipelinerun_types.go and
 * pkg/status/taskrunreasons.go; the prefixes and suffixes catch the rest of
 * the family (InvalidTaskRunSpecs, CouldntGetPipelineResult, …).
 */
const ERRORED = new Set([
  "PipelineValidationFailed",
  "TaskRunValidationFailed",
  "TaskRunResolutionFailed",
  "CouldntGetPipeline",
  "CouldntGetTask",
  "InvalidWorkspaceBindings",
  "ParameterMissing",
  "ParameterTypeMismatch",
  "ObjectParameterMissKeys",
  "ParamArrayIndexingInvalid",
  "PipelineInvalidGraph",
  "RequiredWorkspaceMarkedOptional",
  "PipelineRunCouldntCancel",
  "PipelineRunCouldntTimeOut",
  "ResourceVerificationFailed",
  "CreateRunFailed",
  "CELEvaluationFailed",
]);

const isErrored = (reason: string): boolean =>
  ERRORED.has(reason) ||
  reason.endsWith("ValidationFailed") ||
  reason.endsWith("ResolutionFailed") ||
  reason.startsWith("Couldnt") ||
  reason.startsWith("Invalid");

/**
 * Unknown reasons under which nothing executes yet: a pending PipelineRun
 * (`spec.status: PipelineRunPending`), a ref still being resolved, a TaskRun
 * whose pod is not scheduled. Every other Unknown reason (Started, Running,
 * PipelineRunStopping, CancelledRunningFinally, ToBeRetried, …) is running.
 * https://tekton.dev/docs/pipelines/pipelineruns/#pending-pipelineruns
 */
const WAITING = new Set([
  "PipelineRunPending",
  "Pending",
  "ResolvingPipelineRef",
  "ResolvingTaskRef",
  "ExceededResourceQuota",
  "ExceededNodeResources",
]);
const SPEC_STATUS_PENDING = "PipelineRunPending";
const STEP_SKIPPED = "Skipped";

const succeededCondition = (status: JsonObject): Condition | undefined =>
  conditions(status).find((condition) => condition.type === "Succeeded");

/** The phase of a Tekton run (or of a v1beta1 embedded child status). */
export function tektonPhase(status: JsonObject, specStatus?: string): PipelinePhase {
  const condition = succeededCondition(status);
  const reason = condition?.reason ?? "";
  switch (condition?.status) {
    case "True":
      return PipelinePhase.Succeeded;
    case "False":
      if (CANCELLED.has(reason)) return PipelinePhase.Cancelled;
      if (TIMED_OUT.has(reason)) return PipelinePhase.TimedOut;
      return isErrored(reason) ? PipelinePhase.Errored : PipelinePhase.Failed;
    case "Unknown":
      if (WAITING.has(reason) || specStatus === SPEC_STATUS_PENDING) return PipelinePhase.Pending;
      return PipelinePhase.Running;
    default:
      if (specStatus === SPEC_STATUS_PENDING) return PipelinePhase.Pending;
      return text(status.startTime) === undefined ? PipelinePhase.Pending : PipelinePhase.Running;
  }
}

const isFinished = (phase: PipelinePhase): boolean =>
  phase !== PipelinePhase.Pending && phase !== PipelinePhase.Running;

/** Phase, times and message shared by both kinds and by embedded child statuses. */
const runState = (status: JsonObject, specStatus?: string) => {
  const phase = tektonPhase(status, specStatus);
  const condition = succeededCondition(status);
  return {
    phase,
    startedAt: text(status.startTime),
    finishedAt: isFinished(phase)
      ? (text(status.completionTime) ?? condition?.lastTransitionTime)
      : undefined,
    message: condition?.message,
  };
};

/**
 * v1beta1 PipelineRuns may embed their children's statuses (`status.taskRuns`,
 * `status.runs`, keyed by child name); v1 only references them
 * (`status.childReferences`) and a child's phase comes from its own TaskRun
 * event, merged by the caller through `stageOfTaskRun`.
 */
const pipelineRunStages = (status: JsonObject): Stage[] => {
  const embedded = new Map<string, JsonObject>();
  for (const field of [status.taskRuns, status.runs]) {
    for (const [child, entry] of Object.entries(record(field))) {
      if (isRecord(entry)) embedded.set(child, entry);
    }
  }
  const references = records(status.childReferences).map((ref) => ({
    child: text(ref.name),
    task: text(ref.pipelineTaskName),
  }));
  const children =
    references.length > 0
      ? references
      : [...embedded].map(([child, entry]) => ({ child, task: text(entry.pipelineTaskName) }));

  // A matrixed pipeline task fans out to several children under one
  // pipelineTaskName; it is one stage, named as the TaskRun label names it.
  const stages = new Map<string, Stage>();
  for (const { child, task } of children) {
    if (task === undefined || stages.has(task)) continue;
    const known = child === undefined ? undefined : embedded.get(child);
    const state = isRecord(known?.status) ? runState(known.status) : { phase: PipelinePhase.Pending };
    stages.set(task, compact({ name: task, ...state }));
  }
  return [...stages.values()];
};

/**
 * A step's container state. The exit code decides, except where Tekton says
 * more in the step's `terminationReason` (or the container's reason): steps
 * of a cancelled or timed-out TaskRun are terminated with the TaskRun's
 * reason, and steps after a failed one are `Skipped` with a non-zero code
 * although they never ran; both are reported as not run (cancelled).
 * https://tekton.dev/docs/pipelines/taskruns/#monitoring-execution-status
 */
const terminatedPhase = (reason: string, exitCode: number | undefined): PipelinePhase => {
  if (CANCELLED.has(reason) || reason === STEP_SKIPPED) return PipelinePhase.Cancelled;
  if (TIMED_OUT.has(reason)) return PipelinePhase.TimedOut;
  // exitCode is required in a terminated state; a missing one is not a success.
  return exitCode === 0 ? PipelinePhase.Succeeded : PipelinePhase.Failed;
};

const stepStage = (step: JsonObject): Stage | undefined => {
  const name = text(step.name) ?? text(step.container)?.replace(/^step-/, "");
  if (name === undefined) return undefined;
  const terminated = step.terminated;
  if (isRecord(terminated)) {
    const reason = text(step.terminationReason) ?? text(terminated.reason) ?? "";
    const exitCode = typeof terminated.exitCode === "number" ? terminated.exitCode : undefined;
    const phase = terminatedPhase(reason, exitCode);
    return {
      name,
      phase,
      startedAt: text(terminated.startedAt),
      finishedAt: text(terminated.finishedAt),
      // terminated.message carries the step's results as JSON, not prose.
      message:
        reason === STEP_SKIPPED
          ? "skipped"
          : phase === PipelinePhase.Failed && exitCode !== undefined
            ? `exited with code ${exitCode}`
            : undefined,
    };
  }
  if (isRecord(step.running)) {
    return { name, phase: PipelinePhase.Running, startedAt: text(step.running.startedAt) };
  }
  const waiting = record(step.waiting);
  return { name, phase: PipelinePhase.Pending, message: text(waiting.message) ?? text(waiting.reason) };
};

export function normalisePipelineRun(obj: CheckedObject): NormalisedRun {
  const state = runState(obj.status, text(obj.spec.status));
  return runOf(obj, { ...state, stages: pipelineRunStages(obj.status) });
}

export function normaliseTaskRun(obj: CheckedObject): NormalisedRun {
  const state = runState(obj.status);
  const stages = records(obj.status.steps).flatMap((step) => stepStage(step) ?? []);
  const parentName = obj.metadata.labels[TektonLabel.PipelineRun];
  const owner = obj.metadata.ownerReferences.find(
    (ref) => ref.kind === "PipelineRun" && ref.name === parentName,
  );
  const parent =
    parentName === undefined || parentName === ""
      ? undefined
      : compact({ kind: "PipelineRun", name: parentName, uid: text(owner?.uid) });
  return runOf(obj, { ...state, stages, parent });
}

/**
 * The stage a child TaskRun contributes to its PipelineRun, named by the
 * `tekton.dev/pipelineTask` label so it lines up with the parent's
 * `childReferences[].pipelineTaskName`.
 */
export function stageOfTaskRun(run: NormalisedRun, obj: unknown): Stage {
  const labels = stringMap(record(record(obj).metadata).labels);
  const name =
    text(labels[TektonLabel.PipelineTask]) ?? text(run.labels[TektonLabel.PipelineTask]) ?? run.name;
  return compact({
    name,
    phase: run.phase,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    message: run.message,
  });
}
