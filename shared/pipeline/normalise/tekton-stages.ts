/**
 * The stages of a Tekton PipelineRun, one per pipeline task, from what its
 * own status says. A v1 PipelineRun only references its children
 * (`status.childReferences`): their phases come from their own TaskRun
 * events, merged by the lifecycle. A v1beta1 PipelineRun may also embed them
 * (`status.taskRuns`, `status.runs`, keyed by child name, each with its
 * `pipelineTaskName` and `status`): both forms give the same stages.
 * https://tekton.dev/docs/pipelines/pipelineruns/#monitoring-execution-status
 */
import { PipelinePhase, type Stage } from "../types";
import { compact, isRecord, record, records, text, type JsonObject } from "./read";
import { CANCELLED_REASONS, TIMED_OUT_REASONS, succeededCondition, tektonPhase } from "./tekton-reasons";

const STEP_SKIPPED = "Skipped";

export const isFinished = (phase: PipelinePhase): boolean => phase !== PipelinePhase.Pending && phase !== PipelinePhase.Running;

/** Phase, times and message shared by both kinds and by embedded child statuses. */
export const runState = (status: JsonObject, specStatus?: string) => {
  const phase = tektonPhase(status, specStatus);
  const condition = succeededCondition(status);
  return {
    phase,
    startedAt: text(status.startTime),
    finishedAt: isFinished(phase) ? (text(status.completionTime) ?? condition?.lastTransitionTime) : undefined,
    message: condition?.message,
  };
};

/** Task names in the order the Pipeline declares them, finally tasks last (`status.pipelineSpec`). */
const declaredTasks = (status: JsonObject): string[] => {
  const spec = record(status.pipelineSpec);
  return [...records(spec.tasks), ...records(spec.finally)].flatMap((task) => text(task.name) ?? []);
};

/**
 * One stage per pipeline task: declared tasks first (in their order, finally
 * last), then any child or skipped task the spec does not list. A matrixed
 * pipeline task fans out to several children under one pipelineTaskName: it
 * is one stage, named as the TaskRun label names it.
 */
export const pipelineRunStages = (status: JsonObject): Stage[] => {
  const embedded = new Map<string, JsonObject>();
  for (const field of [status.taskRuns, status.runs]) {
    for (const [child, entry] of Object.entries(record(field))) {
      if (isRecord(entry)) embedded.set(child, entry);
    }
  }
  const references = records(status.childReferences).map((ref) => ({ child: text(ref.name), task: text(ref.pipelineTaskName) }));
  const children = [
    ...references,
    // v1beta1 with embedded statuses and no references (before childReferences existed).
    ...[...embedded].filter(([child]) => !references.some((r) => r.child === child)).map(([child, entry]) => ({ child, task: text(entry.pipelineTaskName) })),
  ];

  const stages = new Map<string, Stage>();
  for (const name of declaredTasks(status)) stages.set(name, { name, phase: PipelinePhase.Pending });
  for (const { child, task } of children) {
    if (task === undefined || (stages.has(task) && stages.get(task)!.phase !== PipelinePhase.Pending)) continue;
    const known = child === undefined ? undefined : embedded.get(child);
    const state = isRecord(known?.status) ? runState(known.status) : { phase: PipelinePhase.Pending };
    stages.set(task, compact({ name: task, ...state }));
  }
  // Tasks the run will not run: their when expressions were false, a task
  // they depend on failed, or the run was stopping (`skippedTasks[].reason`).
  for (const skipped of records(status.skippedTasks)) {
    const name = text(skipped.name);
    if (name === undefined) continue;
    const current = stages.get(name);
    if (current && current.phase !== PipelinePhase.Pending) continue;
    stages.set(name, compact({ name, phase: PipelinePhase.Skipped, message: text(skipped.reason) }));
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
  if (CANCELLED_REASONS.has(reason) || reason === STEP_SKIPPED) return PipelinePhase.Cancelled;
  if (TIMED_OUT_REASONS.has(reason)) return PipelinePhase.TimedOut;
  // exitCode is required in a terminated state; a missing one is not a success.
  return exitCode === 0 ? PipelinePhase.Succeeded : PipelinePhase.Failed;
};

/** Why a step failed, in words: the container's reason (`Error`, `OOMKilled`) and its exit code. */
const failureOf = (reason: string, exitCode: number | undefined): string =>
  [exitCode === undefined ? "failed" : `exited with code ${exitCode}`, reason && reason !== "Error" ? `(${reason})` : ""].filter(Boolean).join(" ");

export const stepStage = (step: JsonObject): Stage | undefined => {
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
      message: reason === STEP_SKIPPED ? "skipped" : phase === PipelinePhase.Failed ? failureOf(reason, exitCode) : undefined,
    };
  }
  if (isRecord(step.running)) return { name, phase: PipelinePhase.Running, startedAt: text(step.running.startedAt) };
  const waiting = record(step.waiting);
  return { name, phase: PipelinePhase.Pending, message: text(waiting.message) ?? text(waiting.reason) };
};
