/**
 * Total readers for untrusted JSON. Objects arrive from a queue and may be
 * anything: every reader returns a safe default instead of throwing, so that
 * a malformed `status` degrades to "nothing known yet" rather than a crash.
 */
import type { NormalisedRun, PipelinePhase, Stage } from "../types";

export type JsonObject = Record<string, unknown>;

export const isRecord = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const record = (value: unknown): JsonObject => (isRecord(value) ? value : {});

export const records = (value: unknown): JsonObject[] =>
  Array.isArray(value) ? value.filter(isRecord) : [];

/** A non-empty string, or undefined. */
export const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** A finite number, or 0 (Kubernetes omits zero counters). */
export const count = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) ? value : 0;

/** Labels or annotations: string values only, anything else dropped. */
export const stringMap = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(record(value))) {
    if (typeof entry === "string") out[key] = entry;
  }
  return out;
};

/** Drops keys whose value is undefined, so runs and stages compare and hash the same however built. */
export const compact = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;

/** A `metav1.Condition` or knative `apis.Condition`, the shape both Jobs and Tekton use. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

const CONDITION_STATUSES = new Set(["True", "False", "Unknown"]);

/** One entry of `status.conditions`, or undefined when it has no type or a status other than the three. */
const conditionOf = (entry: JsonObject): Condition | undefined => {
  const type = text(entry.type);
  const state = text(entry.status);
  if (type === undefined || state === undefined || !CONDITION_STATUSES.has(state)) return undefined;
  return compact({
    type,
    status: state as Condition["status"],
    reason: text(entry.reason),
    message: text(entry.message),
    lastTransitionTime: text(entry.lastTransitionTime),
  });
};

export const conditions = (status: JsonObject): Condition[] => records(status.conditions).flatMap((entry) => conditionOf(entry) ?? []);

/** `conditions(status).find((c) => c.type === type)`, building only the one it finds. */
export const conditionOfType = (status: JsonObject, type: string): Condition | undefined => {
  if (!Array.isArray(status.conditions)) return undefined;
  for (const entry of status.conditions) {
    if (!isRecord(entry) || entry.type !== type) continue;
    const condition = conditionOf(entry);
    if (condition !== undefined) return condition;
  }
  return undefined;
};

/** The object after `normalise` checked its identity; spec and status are still untrusted. */
export interface CheckedObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    /** Kept so a run's stable name (its generateName without the suffix) can be derived. */
    generateName?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** Kept for the parent's uid (a TaskRun's PipelineRun); may be absent from slimmed objects. */
    ownerReferences: JsonObject[];
  };
  spec: JsonObject;
  status: JsonObject;
}

/** What a kind-specific normaliser decides; identity is copied from the object. */
export interface RunState {
  phase: PipelinePhase;
  stages: Stage[];
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  parent?: NormalisedRun["parent"];
  /** What the run was started from (a CronJob, CronWorkflow or WorkflowTemplate): the name its statuses go by. */
  template?: NormalisedRun["template"];
}

/**
 * The name of the object's owner of `kind` in one of `apiVersions`, if any.
 * The apiVersion is checked as well as the kind, so that another group's
 * kind of the same name is never taken for it.
 */
export const ownerName = (obj: CheckedObject, kind: string, apiVersions: readonly string[]): string | undefined => {
  const owner = obj.metadata.ownerReferences.find((ref) => ref.kind === kind && apiVersions.includes(String(ref.apiVersion)));
  return owner === undefined ? undefined : text(owner.name);
};

export const runOf = (obj: CheckedObject, state: RunState): NormalisedRun =>
  compact({
    uid: obj.metadata.uid,
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    namespace: obj.metadata.namespace,
    generateName: obj.metadata.generateName,
    labels: obj.metadata.labels,
    annotations: obj.metadata.annotations,
    ...state,
    stages: state.stages.map(compact),
  });
