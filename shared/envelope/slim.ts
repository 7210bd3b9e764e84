/**
 * Slimming: an object as the relay ships it, and as ingest enqueues the
 * objects it wraps itself. It keeps every field a normaliser reads, so that
 * `normalise(slimObject(x))` equals `normalise(x)` (DESIGN.md §3), and drops
 * the rest (managedFields, embedded specs, pod templates), so that an
 * envelope stays far below SQS's 256 KiB. fit.ts cuts further only when an
 * object is still too large.
 */
import type { KubeObject } from "./envelope";
import { eachRecord, pick, setOwn, type Fields, type Slimmed } from "./slim-fields";
import { slimGeneric, slimJob, slimWhole, slimWorkflow } from "./slim-kinds";
import { slimPipelineRun, slimTaskRun } from "./slim-tekton";

export { SlimLimit } from "./slim-fields";

/**
 * Annotations dropped although the normalisers copy every annotation into
 * the run: `kubectl apply` stores the whole object as applied here, which
 * alone can approach the message limit, and no receiver reads it.
 */
export const DROPPED_ANNOTATIONS: ReadonlySet<string> = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

/**
 * The metadata that says which run an object is and where its status goes:
 * all of it that normalise() reads. The relay's tombstones keep exactly
 * these (relay/known/tombstone.ts).
 */
export const IDENTITY_METADATA = ["name", "generateName", "namespace", "uid", "labels", "annotations", "ownerReferences"] as const;

/** The metadata that changes with every write without changing the run. */
export const VERSION_METADATA = ["resourceVersion", "generation", "creationTimestamp", "deletionTimestamp"] as const;

const NAMING = ["name", "generateName", "namespace", "uid", "labels"] as const;

/** Who owns the object: a TaskRun's PipelineRun, a Job's CronJob (whose name names the run). */
const OWNER = ["apiVersion", "kind", "name", "uid", "controller"] as const;

const BY_KIND: Readonly<Record<string, (spec: unknown, status: unknown) => Slimmed>> = {
  Job: slimJob,
  PipelineRun: slimPipelineRun,
  TaskRun: slimTaskRun,
  Workflow: slimWorkflow,
  CommitStatus: slimWhole,
  GitRepo: slimWhole,
};

/**
 * The identity first, then the version fields, in the orders listed above:
 * the relay serialises the two apart, the identity once for the envelope
 * and its tombstone alike (relay/object-json.ts), and joins them into
 * exactly the JSON of this object.
 */
const slimMetadata = (meta: KubeObject["metadata"]): KubeObject["metadata"] => {
  const fields = meta as Fields;
  const out = pick(fields, NAMING);
  const annotations = keptAnnotations(meta.annotations);
  if (annotations) out.annotations = annotations;
  if (Array.isArray(fields.ownerReferences)) out.ownerReferences = eachRecord(fields.ownerReferences, (owner) => pick(owner, OWNER));
  for (const key of VERSION_METADATA) if (Object.hasOwn(fields, key)) out[key] = fields[key];
  return out as KubeObject["metadata"];
};

/** The annotations without the dropped ones; undefined when none is left. */
const keptAnnotations = (annotations: Record<string, string> | undefined): Fields | undefined => {
  if (annotations === undefined || annotations === null) return undefined;
  const out: Fields = {};
  let kept = 0;
  for (const key of Object.keys(annotations)) {
    if (DROPPED_ANNOTATIONS.has(key)) continue;
    setOwn(out, key, annotations[key]);
    kept++;
  }
  return kept > 0 ? out : undefined;
};

const hasKeys = (value: Fields | undefined): value is Fields => {
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
};

/**
 * Keeps what the handlers read and nothing else; the input is not modified.
 * Runs for every watch event, so it builds each object once, without spreads.
 */
export const slimObject = (object: KubeObject): KubeObject => {
  const slim = (Object.hasOwn(BY_KIND, object.kind) ? BY_KIND[object.kind]! : slimGeneric)(object.spec, object.status);
  const out: KubeObject = { apiVersion: object.apiVersion, kind: object.kind, metadata: slimMetadata(object.metadata) };
  if (hasKeys(slim.spec)) out.spec = slim.spec;
  if (hasKeys(slim.status)) out.status = slim.status;
  return out;
};
