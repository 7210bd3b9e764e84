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
import { succeededCondition, tektonPhase } from "./tekton-reasons";
import { stepFailureOf } from "./tekton-steps";

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
    // An embedded status has its steps: the one that failed the task names why, as on a child TaskRun.
    const failure = isRecord(known?.status) && state.phase === PipelinePhase.Failed ? stepFailureOf(known.status) : {};
    stages.set(task, compact({ name: task, ...state, ...failure }));
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
