/**
 * The steps of a Tekton TaskRun (`status.steps[]`, one per step container,
 * in the Task's order) as stages, and the step that failed a task: its name,
 * exit code, reason and words, which say more than the TaskRun's
 * `"step-build" exited with code 1`.
 * https://tekton.dev/docs/pipelines/taskruns/#monitoring-execution-status
 */
import { SlimLimit, truncate } from "../../envelope/slim-fields";
import { PipelinePhase, type Stage } from "../types";
import { compact, isRecord, record, records, text, type JsonObject } from "./read";
import { CANCELLED_REASONS, TIMED_OUT_REASONS, succeededCondition } from "./tekton-reasons";

/**
 * A step's `terminationReason` as the reconciler sets it (tektoncd/pipeline
 * pkg/pod/pod.go, `getTerminationReason` in pkg/pod/status.go): the
 * entrypoint's own reason when it gave one, `Continued` for a step whose
 * failure `onError: continue` ignored, else the container's reason
 * (`Completed`, `Error`, `OOMKilled`).
 */
export const StepReason = {
  Skipped: "Skipped",
  TimeoutExceeded: "TimeoutExceeded",
  Continued: "Continued",
  Completed: "Completed",
  Error: "Error",
  OOMKilled: "OOMKilled",
} as const;

/**
 * The exit code decides, except where Tekton says more: steps of a cancelled
 * or timed-out TaskRun are terminated with the TaskRun's reason, and steps
 * after a failed one are `Skipped` with a non-zero code although they never
 * ran; both are reported as not run (cancelled). A step past its own
 * `timeout` is `TimeoutExceeded`. A step whose failure `onError: continue`
 * ignored shows its exit code under `Continued` (before that reason existed,
 * under the container's `Completed`: its container exited 0 and the
 * reconciler copied the step's code from its results): the task went on.
 */
const terminatedPhase = (reason: string, exitCode: number | undefined): PipelinePhase => {
  if (CANCELLED_REASONS.has(reason) || reason === StepReason.Skipped) return PipelinePhase.Cancelled;
  if (TIMED_OUT_REASONS.has(reason) || reason === StepReason.TimeoutExceeded) return PipelinePhase.TimedOut;
  if (reason === StepReason.Continued || (reason === StepReason.Completed && exitCode !== undefined)) return PipelinePhase.Succeeded;
  // exitCode is required in a terminated state; a missing one is not a success.
  return exitCode === 0 ? PipelinePhase.Succeeded : PipelinePhase.Failed;
};

/**
 * The step's own words, when it has any. The reconciler replaces a step's
 * termination message with the results it parsed from it, as a JSON array
 * (`[{"key":…}]`, compressed behind a `tknz:` prefix by newer releases), and
 * leaves the message as it was only when it is no such JSON: prose such as
 * "Step step-build terminated as pod build-pod is terminated"
 * (pkg/pod/status.go `setTaskRunStatusBasedOnStepStatus`, pkg/termination/parse.go).
 * Cut as slimming cuts it first, so that a results array cut short by the
 * envelope is still recognised by its start and the words read the same
 * from the object and from its envelope.
 */
const stepWords = (message: unknown): string | undefined => {
  const whole = text(message);
  if (whole === undefined) return undefined;
  const cut = truncate(whole, SlimLimit.stepMessageChars).trim();
  return cut === "" || cut.startsWith("[") || cut.startsWith("tknz:") ? undefined : cut;
};

/** Why a step did not succeed, in words: `exited with code 137 (OOMKilled): …`. */
const whyOf = (phase: PipelinePhase, reason: string, exitCode: number | undefined, words: string | undefined): string | undefined => {
  if (reason === StepReason.Skipped) return "skipped";
  const code = exitCode === undefined ? "failed" : `exited with code ${exitCode}`;
  const why =
    phase === PipelinePhase.Failed
      ? // `Error` is the runtime's word for any non-zero exit: it adds nothing.
        reason && reason !== StepReason.Error ? `${code} (${reason})` : code
      : reason === StepReason.TimeoutExceeded
        ? "exceeded its timeout"
        : phase === PipelinePhase.Succeeded && exitCode
          ? `${code}, ignored (onError: continue)`
          : undefined;
  if (why === undefined) return undefined;
  return words ? `${why}: ${words}` : why;
};

export const stepStage = (step: JsonObject): Stage | undefined => {
  const name = text(step.name) ?? text(step.container)?.replace(/^step-/, "");
  if (name === undefined) return undefined;
  const terminated = step.terminated;
  if (isRecord(terminated)) {
    const reason = text(step.terminationReason) ?? text(terminated.reason) ?? "";
    const exitCode = typeof terminated.exitCode === "number" ? terminated.exitCode : undefined;
    const phase = terminatedPhase(reason, exitCode);
    const message = whyOf(phase, reason, exitCode, stepWords(terminated.message));
    // Reason and code only where they say why: a plain success or a step not run needs neither.
    const telling = message !== undefined && reason !== StepReason.Skipped;
    return compact({
      name,
      phase,
      startedAt: text(terminated.startedAt),
      finishedAt: text(terminated.finishedAt),
      message,
      ...(telling ? { reason: reason || undefined, exitCode } : {}),
    });
  }
  if (isRecord(step.running)) return { name, phase: PipelinePhase.Running, startedAt: text(step.running.startedAt) };
  const waiting = record(step.waiting);
  return { name, phase: PipelinePhase.Pending, message: text(waiting.message) ?? text(waiting.reason) };
};

export const stepStages = (status: JsonObject): Stage[] => records(status.steps).flatMap((step) => stepStage(step) ?? []);

/**
 * TaskRun reasons under which a step's exit failed the task: `Failed` (all
 * failures before releases named the cause), `StepFailed` and `StepOOM`.
 * Under the others (`PodEvicted`, `SidecarFailed`, `InitContainerOOM`,
 * `TaskRunTimeout`, …) the cause is outside the steps and the condition's
 * message says it (pkg/pod/status.go `getFailureInfo`).
 */
const STEP_FAILURES: ReadonlySet<string> = new Set(["Failed", "StepFailed", "StepOOM"]);

/**
 * The step Tekton blames for a failed TaskRun, as `getFailureInfo` picks
 * it: for `StepOOM` the first step killed for memory, else the first step
 * (in the Task's order) that failed or exceeded its timeout.
 */
export const failedStep = (status: JsonObject): Stage | undefined => {
  const condition = succeededCondition(status);
  if (condition?.status !== "False" || !STEP_FAILURES.has(condition.reason ?? "")) return undefined;
  const steps = stepStages(status);
  const oom = condition.reason === "StepOOM" ? steps.find((step) => step.reason === StepReason.OOMKilled) : undefined;
  return oom ?? steps.find((step) => step.phase === PipelinePhase.Failed || step.reason === StepReason.TimeoutExceeded);
};

/**
 * What a failed task's stage says of the step that failed it: the step,
 * its exit code and reason, and a message naming them
 * (`step "build" exited with code 2 (OOMKilled): …`) in place of the
 * TaskRun's own. Empty when no step is to blame.
 */
export const stepFailureOf = (status: JsonObject): Pick<Stage, "step" | "exitCode" | "reason" | "message"> => {
  const step = failedStep(status);
  if (step === undefined) return {};
  return compact({ step: step.name, exitCode: step.exitCode, reason: step.reason, message: `step "${step.name}" ${step.message ?? "failed"}` });
};
