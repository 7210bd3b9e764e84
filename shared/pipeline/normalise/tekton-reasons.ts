/**
 * What Tekton's `Succeeded` condition means, read as upstream defines it:
 * the reason constants of tektoncd/pipeline `pkg/apis/pipeline/v1/pipelinerun_types.go`
 * and `taskrun_types.go` (v1beta1 has the same values), and how the
 * reconciler sets them (`pkg/reconciler/pipelinerun/resources/pipelinerunstate.go`
 * `GetPipelineConditionStatus`).
 *
 * The condition is Unknown while a run is in progress, True on success
 * (`Succeeded`, or `Completed` when tasks were skipped), False on any other
 * end; the reason says which end. A reason alone never finishes a run: the
 * reconciler sets `Cancelled` with status Unknown while a cancellation is
 * being processed, and `CancelledRunningFinally` / `StoppedRunningFinally` /
 * `PipelineRunStopping` while finally tasks (or running tasks) still run.
 * https://tekton.dev/docs/pipelines/pipelineruns/#monitoring-execution-status
 */
import { PipelinePhase } from "../types";
import { conditionOfType, text, type Condition, type JsonObject } from "./read";

/**
 * False reasons of a cancelled run: `Cancelled` (PipelineRun since v0.36),
 * `PipelineRunCancelled` (its name before that, still shown as cancelled by
 * tkn and the dashboard), `TaskRunCancelled`, and the `spec.status` values
 * `CancelledRunFinally` / `StoppedRunFinally` that some releases copied into
 * the reason.
 * https://tekton.dev/docs/pipelines/pipelineruns/#cancelling-a-pipelinerun
 */
export const CANCELLED_REASONS: ReadonlySet<string> = new Set([
  "Cancelled",
  "PipelineRunCancelled",
  "TaskRunCancelled",
  "CancelledRunFinally",
  "StoppedRunFinally",
]);
export const TIMED_OUT_REASONS: ReadonlySet<string> = new Set(["PipelineRunTimeout", "TaskRunTimeout"]);

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
 * PipelineRunStopping, CancelledRunningFinally, StoppedRunningFinally,
 * ToBeRetried, a Cancelled still being processed, …) is running.
 * https://tekton.dev/docs/pipelines/pipelineruns/#pending-pipelineruns
 */
const WAITING = new Set(["PipelineRunPending", "Pending", "ResolvingPipelineRef", "ResolvingTaskRef", "ExceededResourceQuota", "ExceededNodeResources"]);
const SPEC_STATUS_PENDING = "PipelineRunPending";

export const succeededCondition = (status: JsonObject): Condition | undefined => conditionOfType(status, "Succeeded");

/** The phase of a Tekton run (or of a v1beta1 embedded child status). */
export function tektonPhase(status: JsonObject, specStatus?: string): PipelinePhase {
  const condition = succeededCondition(status);
  const reason = condition?.reason ?? "";
  switch (condition?.status) {
    case "True":
      return PipelinePhase.Succeeded;
    case "False":
      if (CANCELLED_REASONS.has(reason)) return PipelinePhase.Cancelled;
      if (TIMED_OUT_REASONS.has(reason)) return PipelinePhase.TimedOut;
      return isErrored(reason) ? PipelinePhase.Errored : PipelinePhase.Failed;
    case "Unknown":
      if (WAITING.has(reason) || specStatus === SPEC_STATUS_PENDING) return PipelinePhase.Pending;
      return PipelinePhase.Running;
    default:
      if (specStatus === SPEC_STATUS_PENDING) return PipelinePhase.Pending;
      return text(status.startTime) === undefined ? PipelinePhase.Pending : PipelinePhase.Running;
  }
}

/**
 * A TaskRun that failed or timed out with retries left is not finished: the
 * reconciler moves its status into `status.retriesStatus` and runs it again
 * (`TaskRun.IsRetriable`: `len(retriesStatus) < spec.retries`, and never
 * after a cancellation). Older releases (before v0.43) let the PipelineRun
 * reconciler do this, so the False condition was visible for a moment.
 * https://tekton.dev/docs/pipelines/pipelines/#using-the-retries-field
 */
export const willBeRetried = (phase: PipelinePhase, spec: JsonObject, status: JsonObject): boolean => {
  if (phase !== PipelinePhase.Failed && phase !== PipelinePhase.TimedOut) return false;
  const retries = typeof spec.retries === "number" ? spec.retries : 0;
  const used = Array.isArray(status.retriesStatus) ? status.retriesStatus.length : 0;
  return used < retries;
};
