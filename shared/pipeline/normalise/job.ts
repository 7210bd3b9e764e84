/**
 * batch/v1 Job → run.
 *
 * The phase comes from the Job's conditions, never from its pod counters:
 * `status.failed > 0` only says that some pod failed, and with retries left
 * (`spec.backoffLimit`, `podFailurePolicy`) the controller simply starts
 * another one. A Job is finished only once the controller says so with a
 * terminal condition.
 * https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
 *
 * Since Kubernetes 1.31 the controller first adds `SuccessCriteriaMet` or
 * `FailureTarget` as soon as the outcome is decided, and `Complete` or `Failed`
 * only after the remaining pods have terminated. The outcome is known at the
 * first condition, so both count; the later one is preferred for its time.
 * https://kubernetes.io/docs/concepts/workloads/controllers/job/#termination-of-job-pods
 */
import { PipelinePhase, type NormalisedRun } from "../types";
import { conditions, count, isRecord, ownerName, runOf, text, type CheckedObject, type Condition, type JsonObject } from "./read";

export const JobConditionType = {
  Complete: "Complete",
  SuccessCriteriaMet: "SuccessCriteriaMet",
  Failed: "Failed",
  FailureTarget: "FailureTarget",
  Suspended: "Suspended",
} as const;

/**
 * `DeadlineExceeded` is the reason set when `spec.activeDeadlineSeconds`
 * passes; other failure reasons (`BackoffLimitExceeded`, `PodFailurePolicy`,
 * `MaxFailedIndexesExceeded`, `FailedIndexes`) are plain failures.
 * https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
 */
export const JobReason = {
  DeadlineExceeded: "DeadlineExceeded",
} as const;

/** Terminal conditions, in order of preference (the final one before the early one). */
const TERMINAL = [
  { type: JobConditionType.Complete, phase: PipelinePhase.Succeeded },
  { type: JobConditionType.SuccessCriteriaMet, phase: PipelinePhase.Succeeded },
  { type: JobConditionType.Failed, phase: PipelinePhase.Failed },
  { type: JobConditionType.FailureTarget, phase: PipelinePhase.Failed },
] as const;

const TERMINAL_TYPES: ReadonlySet<unknown> = new Set(TERMINAL.map(({ type }) => type));

/** Whether the Job is over, as verdictOf says: a terminal condition is True (standingOf, kinds.ts). */
export const jobFinished = (_spec: JsonObject, status: JsonObject): boolean =>
  Array.isArray(status.conditions) && status.conditions.some((entry) => isRecord(entry) && entry.status === "True" && TERMINAL_TYPES.has(entry.type));

const isTrue = (all: Condition[], type: string): Condition | undefined =>
  all.find((condition) => condition.type === type && condition.status === "True");

interface JobVerdict {
  phase: PipelinePhase;
  condition?: Condition;
}

const verdictOf = (status: Record<string, unknown>): JobVerdict => {
  const all = conditions(status);
  for (const { type, phase } of TERMINAL) {
    const condition = isTrue(all, type);
    if (condition === undefined) continue;
    const timedOut = phase === PipelinePhase.Failed && condition.reason === JobReason.DeadlineExceeded;
    return { phase: timedOut ? PipelinePhase.TimedOut : phase, condition };
  }
  // A suspended Job has no running pods and will not start any until resumed;
  // the controller resets startTime on resume, so it is waiting, not running.
  // https://kubernetes.io/docs/concepts/workloads/controllers/job/#suspending-a-job
  const suspended = isTrue(all, JobConditionType.Suspended);
  if (suspended !== undefined) return { phase: PipelinePhase.Pending, condition: suspended };
  if (count(status.active) > 0 || text(status.startTime) !== undefined) {
    return { phase: PipelinePhase.Running };
  }
  return { phase: PipelinePhase.Pending };
};

/**
 * A Job message for the running case, where no condition speaks: say that
 * pods failed and are being retried, which the phase alone hides.
 */
const retryMessage = (status: Record<string, unknown>, phase: PipelinePhase): string | undefined => {
  const failed = count(status.failed);
  if (phase !== PipelinePhase.Running || failed === 0) return undefined;
  return `${failed} pod${failed === 1 ? "" : "s"} failed, retrying`;
};

/**
 * The CronJob controller names each Job `<cronjob>-<scheduled minute>` and
 * owns it (kubernetes pkg/controller/cronjob `getJobFromTemplate2`), so the
 * CronJob's name is the one that stays the same from night to night.
 * batch/v1beta1 is the CronJob API before Kubernetes 1.21 (removed in 1.25);
 * Jobs it created keep that owner reference.
 */
const CRONJOB_API_VERSIONS = ["batch/v1", "batch/v1beta1"] as const;

const templateOf = (obj: CheckedObject): NormalisedRun["template"] => {
  const cronJob = ownerName(obj, "CronJob", CRONJOB_API_VERSIONS);
  return cronJob === undefined ? undefined : { kind: "CronJob", name: cronJob };
};

export function normaliseJob(obj: CheckedObject): NormalisedRun {
  const { status } = obj;
  const { phase, condition } = verdictOf(status);
  const startedAt = text(status.startTime);
  // completionTime is only set on success; a failed Job's end is when its
  // terminal condition became True.
  const finishedAt =
    phase === PipelinePhase.Pending || phase === PipelinePhase.Running
      ? undefined
      : (text(status.completionTime) ?? condition?.lastTransitionTime);
  const message = condition?.message ?? retryMessage(status, phase);

  // A Job is one unit of work: its pods are retries or parallel copies of the
  // same template, not steps, so it is a single stage named after the Job.
  // A failed one says why in its condition's reason too (`BackoffLimitExceeded`, `DeadlineExceeded`).
  const failed = phase === PipelinePhase.Failed || phase === PipelinePhase.TimedOut;
  const stage = { name: obj.metadata.name, phase, startedAt, finishedAt, message, ...(failed ? { reason: condition?.reason } : {}) };
  return runOf(obj, { phase, stages: [stage], startedAt, finishedAt, message, template: templateOf(obj) });
}
