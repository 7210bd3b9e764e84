/**
 * The kinds `normalise` reads, and the identity check every one of them
 * passes first. Shared by `normalise` (index.ts), which builds the whole run,
 * and `standingOf` (below), which only asks whether a run is over, so both
 * accept and refuse exactly the same objects.
 */
import { InvalidObjectError, UnsupportedKindError } from "../errors";
import type { NormalisedRun } from "../types";
import { jobFinished, normaliseJob } from "./job";
import { normaliseWorkflow, workflowFinished } from "./argo";
import { isRecord, record, type CheckedObject, type JsonObject } from "./read";
import { normalisePipelineRun, normaliseTaskRun, pipelineRunFinished, taskRunFinished, taskRunParent } from "./tekton";

interface Kind {
  readonly versions: readonly string[];
  readonly normalise: (obj: CheckedObject) => NormalisedRun;
  /** Whether the run is over, as `normalise(obj).phase` would say (`isTerminal`), from its raw spec and status. */
  readonly finished: (spec: JsonObject, status: JsonObject) => boolean;
  /** The parent's name, as `normalise(obj).parent?.name` would say, from the raw labels. */
  readonly parent: (labels: unknown) => string | undefined;
}

const NO_PARENT = (): undefined => undefined;

/** Supported kinds by `group/Kind`, with the versions whose status shape we read. */
const KINDS: Readonly<Record<string, Kind>> = {
  "batch/Job": { versions: ["v1"], normalise: normaliseJob, finished: jobFinished, parent: NO_PARENT },
  "tekton.dev/PipelineRun": { versions: ["v1", "v1beta1"], normalise: normalisePipelineRun, finished: pipelineRunFinished, parent: NO_PARENT },
  "tekton.dev/TaskRun": { versions: ["v1", "v1beta1"], normalise: normaliseTaskRun, finished: taskRunFinished, parent: taskRunParent },
  "argoproj.io/Workflow": { versions: ["v1alpha1"], normalise: normaliseWorkflow, finished: workflowFinished, parent: NO_PARENT },
};

export const kindOf = (apiVersion: string, kind: string): Kind | undefined => {
  // `tekton.dev/v1` → group `tekton.dev`, version `v1`; core `v1` has the empty group.
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const key = `${group}/${kind}`;
  // hasOwn, not `in`: keys come from the object and must not reach the prototype.
  if (!Object.hasOwn(KINDS, key)) return undefined;
  const entry = KINDS[key]!;
  return entry.versions.includes(version) ? entry : undefined;
};

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

export interface Identified {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  metadata: JsonObject;
  reader: Kind;
}

/**
 * The object's kind and identity, checked: `UnsupportedKindError` for a kind
 * we do not read, `InvalidObjectError` naming the field for one of ours that
 * cannot identify a run.
 */
export const identify = (obj: unknown): Identified => {
  if (!isRecord(obj)) {
    throw new InvalidObjectError("(root)", `must be an object, got ${typeName(obj)}`);
  }
  const apiVersion = requiredString(obj, "apiVersion", "apiVersion");
  const kind = requiredString(obj, "kind", "kind");
  const reader = kindOf(apiVersion, kind);
  if (reader === undefined) throw new UnsupportedKindError(apiVersion, kind);

  if (obj.metadata === undefined || obj.metadata === null) {
    throw new InvalidObjectError("metadata", "is required");
  }
  if (!isRecord(obj.metadata)) {
    throw new InvalidObjectError("metadata", `must be an object, got ${typeName(obj.metadata)}`);
  }
  const metadata = obj.metadata;
  return {
    apiVersion,
    kind,
    name: requiredString(metadata, "name", "metadata.name"),
    namespace: requiredString(metadata, "namespace", "metadata.namespace"),
    uid: requiredString(metadata, "uid", "metadata.uid"),
    metadata,
    reader,
  };
};

/**
 * Whether a run is over and whether it is a child, without normalising it.
 *
 * The relay asks this of every watch event, to know which objects a later
 * DELETED would still change (relay/known): building the whole run (labels,
 * annotations, stages, messages) only to read two of its fields was the
 * largest single cost of an event there. Each kind answers from the same
 * reading of its status that `normalise` uses (job.ts, tekton.ts, argo.ts),
 * after the same identity check (identify, above);
 * test/unit/pipeline/standing-upstream.test.ts holds the two side by side on
 * every upstream fixture.
 */
export interface RunStanding {
  /** `isTerminal(normalise(obj).phase)`. */
  finished: boolean;
  /** `normalise(obj).parent?.name`: the run this one is a stage of (a TaskRun's PipelineRun). */
  parent?: string;
}

/** What `normalise(obj)` would say of the run's end and parent; throws what it would throw. */
export function standingOf(obj: unknown): RunStanding {
  const { metadata, reader } = identify(obj);
  const { spec, status } = obj as { spec?: unknown; status?: unknown };
  const parent = reader.parent(metadata.labels);
  const finished = reader.finished(record(spec), record(status));
  return parent === undefined ? { finished } : { finished, parent };
}
