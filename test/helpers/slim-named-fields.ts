/**
 * The fields issue 19 names for the normalisers (retries, skipped and
 * finally tasks, step reasons and messages, CronJob owners, WorkflowTemplate
 * refs, node placement), read the way the normalisers read untrusted JSON:
 * a value of the wrong type reads as absent. Slimming must keep all of them
 * whether or not today's normaliser reads them yet, so the slim property
 * compares this reading as well as `normalise`.
 */
import type { KubeObject } from "../../shared/envelope";

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);
const record = (value: unknown): Fields => (isRecord(value) ? value : {});
const records = (value: unknown): Fields[] => (Array.isArray(value) ? value.filter(isRecord) : []);
const string = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const pick = (value: Fields, keys: readonly string[]): Fields => Object.fromEntries(keys.map((key) => [key, value[key]]));
/** Entries of a map whose values are objects, in key order. */
const entries = (value: unknown): Array<[string, Fields]> =>
  Object.entries(record(value)).filter((entry): entry is [string, Fields] => isRecord(entry[1]));

const conditions = (value: unknown) =>
  records(value).map((c) => ({ ...pick(c, ["type", "status", "reason", "lastTransitionTime"]), message: string(c.message) }));

const outcome = (status: Fields) => ({ conditions: conditions(status.conditions), ...pick(status, ["startTime", "completionTime"]) });

const steps = (value: unknown) =>
  records(value).map((step) => ({
    ...pick(step, ["name", "container", "terminationReason"]),
    terminated: isRecord(step.terminated)
      ? { ...pick(step.terminated, ["reason", "exitCode", "startedAt", "finishedAt"]), message: string(step.terminated.message) }
      : undefined,
    running: isRecord(step.running) ? pick(step.running, ["startedAt"]) : undefined,
    waiting: isRecord(step.waiting) ? { reason: step.waiting.reason, message: string(step.waiting.message) } : undefined,
  }));

const names = (value: unknown) => records(value).map((task) => task.name);

const children = (value: unknown) =>
  entries(value).map(([child, entry]) => ({
    child,
    pipelineTaskName: entry.pipelineTaskName,
    status: isRecord(entry.status) ? { ...outcome(entry.status), steps: steps(entry.status.steps) } : undefined,
  }));

const pipelineRun = (spec: Fields, status: Fields) => ({
  spec: { ...pick(spec, ["status", "timeouts", "timeout"]), pipelineRef: record(spec.pipelineRef).name },
  ...outcome(status),
  childReferences: records(status.childReferences).map((ref) => pick(ref, ["apiVersion", "kind", "name", "pipelineTaskName"])),
  taskRuns: children(status.taskRuns),
  runs: children(status.runs),
  skippedTasks: records(status.skippedTasks).map((task) => pick(task, ["name", "reason"])),
  tasks: names(record(status.pipelineSpec).tasks),
  finally: names(record(status.pipelineSpec).finally),
});

const taskRun = (spec: Fields, status: Fields) => ({
  spec: pick(spec, ["status", "timeout", "retries"]),
  ...outcome(status),
  podName: status.podName,
  steps: steps(status.steps),
  retriesStatus: records(status.retriesStatus).map(outcome),
});

const job = (spec: Fields, status: Fields) => ({
  spec: pick(spec, ["suspend", "backoffLimit", "completions"]),
  ...outcome(status),
  ...pick(status, ["active", "succeeded", "failed", "ready"]),
});

const workflow = (spec: Fields, status: Fields) => ({
  spec: { shutdown: spec.shutdown, workflowTemplateRef: record(spec.workflowTemplateRef).name },
  ...pick(status, ["phase", "startedAt", "finishedAt"]),
  message: string(status.message),
  nodes: entries(status.nodes).map(([id, node]) => ({
    id,
    ...pick(node, ["displayName", "name", "type", "phase", "templateName", "boundaryID", "startedAt", "finishedAt"]),
    message: string(node.message),
  })),
});

const BY_KIND: Readonly<Record<string, (spec: Fields, status: Fields) => Fields>> = {
  PipelineRun: pipelineRun,
  TaskRun: taskRun,
  Job: job,
  Workflow: workflow,
};

/** The named fields of a watched object, with its owners and labels; `{}` for other kinds. */
export const namedFields = (object: KubeObject): Fields => {
  const read = Object.hasOwn(BY_KIND, object.kind) ? BY_KIND[object.kind]! : undefined;
  if (read === undefined) return {};
  const metadata = record(object.metadata);
  return {
    labels: metadata.labels,
    ownerReferences: records(metadata.ownerReferences).map((owner) => pick(owner, ["apiVersion", "kind", "name", "uid", "controller"])),
    ...read(record(object.spec), record(object.status)),
  };
};
