/**
 * `normalise(obj)`: any watched CI object → `NormalisedRun`.
 *
 * Input comes from a queue, so it is untrusted: the only errors thrown are
 * `UnsupportedKindError` (an object we do not handle) and `InvalidObjectError`
 * (one of ours that cannot identify a run). A malformed `spec` or `status`
 * is not an error: it reads as "nothing known yet".
 */
import { SlimLimit, truncate } from "../../envelope/slim-fields";
import { InvalidObjectError, UnsupportedKindError } from "../errors";
import type { NormalisedRun } from "../types";
import { normaliseWorkflow } from "./argo";
import { normaliseJob } from "./job";
import { isRecord, record, records, stringMap, type CheckedObject, type JsonObject } from "./read";
import { normalisePipelineRun, normaliseTaskRun } from "./tekton";

export { stageOfTaskRun, tektonPhase } from "./tekton";

/** Supported kinds by `group/Kind`, with the versions whose status shape we read. */
const NORMALISERS = {
  "batch/Job": { versions: ["v1"], normalise: normaliseJob },
  "tekton.dev/PipelineRun": { versions: ["v1", "v1beta1"], normalise: normalisePipelineRun },
  "tekton.dev/TaskRun": { versions: ["v1", "v1beta1"], normalise: normaliseTaskRun },
  "argoproj.io/Workflow": { versions: ["v1alpha1"], normalise: normaliseWorkflow },
} as const;

type Normaliser = (typeof NORMALISERS)[keyof typeof NORMALISERS];

/** `tekton.dev/v1` → group `tekton.dev`, version `v1`; core `v1` has the empty group. */
const splitApiVersion = (apiVersion: string): { group: string; version: string } => {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
};

const normaliserFor = (apiVersion: string, kind: string): Normaliser | undefined => {
  const { group, version } = splitApiVersion(apiVersion);
  const key = `${group}/${kind}`;
  // hasOwn, not `in`: keys come from the object and must not reach the prototype.
  if (!Object.hasOwn(NORMALISERS, key)) return undefined;
  const entry = NORMALISERS[key as keyof typeof NORMALISERS];
  return (entry.versions as readonly string[]).includes(version) ? entry : undefined;
};

/** Whether objects of this apiVersion and kind can be normalised. */
export function isPipelineKind(apiVersion: string, kind: string): boolean {
  return normaliserFor(apiVersion, kind) !== undefined;
}

const typeName = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value;

/** A required non-empty string field, or an InvalidObjectError naming it. */
const requiredString = (parent: JsonObject, field: string, path: string): string => {
  const value = parent[field];
  if (value === undefined || value === null || value === "") {
    throw new InvalidObjectError(path, "is required");
  }
  if (typeof value !== "string") {
    throw new InvalidObjectError(path, `must be a string, got ${typeName(value)}`);
  }
  return value;
};

export function normalise(obj: unknown): NormalisedRun {
  if (!isRecord(obj)) {
    throw new InvalidObjectError("(root)", `must be an object, got ${typeName(obj)}`);
  }
  const apiVersion = requiredString(obj, "apiVersion", "apiVersion");
  const kind = requiredString(obj, "kind", "kind");
  const normaliser = normaliserFor(apiVersion, kind);
  if (normaliser === undefined) throw new UnsupportedKindError(apiVersion, kind);

  if (obj.metadata === undefined || obj.metadata === null) {
    throw new InvalidObjectError("metadata", "is required");
  }
  if (!isRecord(obj.metadata)) {
    throw new InvalidObjectError("metadata", `must be an object, got ${typeName(obj.metadata)}`);
  }
  const metadata = obj.metadata;
  const object: CheckedObject = {
    apiVersion,
    kind,
    metadata: {
      name: requiredString(metadata, "name", "metadata.name"),
      namespace: requiredString(metadata, "namespace", "metadata.namespace"),
      uid: requiredString(metadata, "uid", "metadata.uid"),
      ...(typeof metadata.generateName === "string" && metadata.generateName ? { generateName: metadata.generateName } : {}),
      labels: stringMap(metadata.labels),
      annotations: stringMap(metadata.annotations),
      ownerReferences: records(metadata.ownerReferences),
    },
    spec: record(obj.spec),
    status: record(obj.status),
  };
  return boundMessages(normaliser.normalise(object));
}

/**
 * Messages cut as slimming cuts them (shared/envelope/slim-fields.ts), so a
 * run reads the same from the object and from its slimmed envelope however
 * long a controller's message was.
 */
const boundMessages = (run: NormalisedRun): NormalisedRun => {
  const cut = (message: string | undefined) => (message === undefined ? undefined : truncate(message, SlimLimit.messageChars));
  const stages = run.stages.map((stage) => (stage.message === undefined ? stage : { ...stage, message: cut(stage.message)! }));
  return { ...run, ...(run.message === undefined ? {} : { message: cut(run.message)! }), stages };
};
