/**
 * Tekton PipelineRun and TaskRun, v1 and v1beta1: what the normaliser reads
 * to decide a run's phase and stages. Dropped: embedded task and pipeline
 * specs (except the task names), params, results, provenance, pod templates,
 * sidecars and when-expressions; a v1beta1 PipelineRun that embeds its
 * children's full statuses can exceed SQS's 256 KiB on its own.
 * https://tekton.dev/docs/pipelines/pipelineruns/#monitoring-execution-status
 */
import {
  SlimLimit,
  boundedText,
  defined,
  eachRecord,
  eachValue,
  fields,
  isRecord,
  pick,
  shape,
  slimConditions,
  type Fields,
  type Slimmed,
} from "./slim-fields";

/** What a run (or one of its attempts, or an embedded child) says about its own outcome. */
const OUTCOME = ["conditions", "startTime", "completionTime"] as const;

/**
 * A step's container state: the exit code and Tekton's reason decide the
 * step's phase, the message says why it ended (or why it waits).
 */
const slimStep = (step: Fields): Fields =>
  fields(step, ["name", "container", "terminationReason", "terminated", "running", "waiting"], {
    terminated: (terminated) =>
      isRecord(terminated)
        ? defined({
            ...pick(terminated, ["reason", "exitCode", "startedAt", "finishedAt"]),
            message: boundedText(terminated.message, SlimLimit.stepMessageChars),
          })
        : undefined,
    running: (running) => (isRecord(running) ? pick(running, ["startedAt"]) : undefined),
    waiting: (waiting) =>
      isRecord(waiting)
        ? defined({ ...pick(waiting, ["reason"]), message: boundedText(waiting.message, SlimLimit.messageChars) })
        : undefined,
  });

const slimSteps = (steps: unknown): Fields[] | undefined => eachRecord(steps, slimStep);

/**
 * Tekton appends one full TaskRun status per attempt. The latest attempts
 * are kept with their outcome; older ones become `{}` so that the number
 * of attempts, which says whether retries are left, survives slimming.
 */
const slimRetries = (retries: unknown): Fields[] | undefined => {
  const attempts = eachRecord(retries, (attempt) => attempt);
  if (attempts === undefined) return undefined;
  const firstKept = attempts.length - SlimLimit.retriesKept;
  return attempts.map((attempt, index) =>
    index < firstKept ? {} : fields(attempt, OUTCOME, { conditions: slimConditions }),
  );
};

const TASK_RUN_SPEC = ["status", "statusMessage", "timeout", "retries"] as const;

const slimTaskRunStatus = (status: unknown): Fields | undefined =>
  shape(status, [...OUTCOME, "podName", "steps", "retriesStatus"], {
    conditions: slimConditions,
    steps: slimSteps,
    retriesStatus: slimRetries,
  });

/**
 * A v1beta1 PipelineRun's embedded child (`status.taskRuns[name]`,
 * `status.runs[name]`): the pipeline task it runs and its outcome.
 */
const slimChild = (child: Fields): Fields =>
  fields(child, ["pipelineTaskName", "status"], {
    status: (status) =>
      shape(status, [...OUTCOME, "steps"], { conditions: slimConditions, steps: slimSteps }),
  });

const namesOf = (tasks: unknown): Fields[] | undefined => eachRecord(tasks, (task) => pick(task, ["name"]));

const slimPipelineRunStatus = (status: unknown): Fields | undefined =>
  shape(status, [...OUTCOME, "childReferences", "taskRuns", "runs", "skippedTasks", "pipelineSpec"], {
    conditions: slimConditions,
    childReferences: (refs) =>
      eachRecord(refs, (ref) => pick(ref, ["apiVersion", "kind", "name", "pipelineTaskName", "displayName"])),
    taskRuns: (children) => eachValue(children, slimChild),
    runs: (children) => eachValue(children, slimChild),
    skippedTasks: (skipped) => eachRecord(skipped, (task) => pick(task, ["name", "reason"])),
    // The names alone give the stage order, finally tasks after the others.
    pipelineSpec: (spec) => shape(spec, ["tasks", "finally"], { tasks: namesOf, finally: namesOf }),
  });

/** `timeout` is v1beta1's single timeout, `timeouts` the split one of both versions. */
const slimPipelineRunSpec = (spec: unknown): Fields | undefined =>
  shape(spec, ["status", "timeouts", "timeout", "pipelineRef"], {
    // The name names the run; a resolver's params can be large and say nothing about it.
    pipelineRef: (ref) => shape(ref, ["name"]),
  });

export const slimPipelineRun = (spec: unknown, status: unknown): Slimmed => ({
  spec: slimPipelineRunSpec(spec),
  status: slimPipelineRunStatus(status),
});

export const slimTaskRun = (spec: unknown, status: unknown): Slimmed => ({
  spec: shape(spec, TASK_RUN_SPEC),
  status: slimTaskRunStatus(status),
});
