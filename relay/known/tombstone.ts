import { slimObject, type KubeObject } from "../../shared/envelope";
import { objectJson, type ObjectJson } from "../object-json";
import { isPipelineKind, standingOf } from "../../shared/pipeline/normalise";

/**
 * What the relay remembers of an object it may have to report deleted: the
 * object as a DELETED envelope will carry it, as JSON (kept packed in
 * memory, codec.ts, so 10k entries are 10k short strings, not object graphs).
 *
 * client-go's informers hand a handler a `DeletedFinalStateUnknown` with the
 * last object they cached when a re-list no longer has it
 * (tools/cache/delta_fifo.go, `Replace`). The relay caches no objects, so it
 * keeps only what the process side reads of a DELETED envelope:
 *
 * - `apiVersion`, `kind`, `metadata.name`, `namespace`, `uid`: required by
 *   the envelope schema (validateEnvelope) and by normalise(); the uid is the
 *   FIFO group and the run's state key, so the DELETED reaches the run it ends;
 * - `labels`, `annotations` (as slimming keeps them), `generateName`,
 *   `ownerReferences`: the pipeline handler builds the finished run's
 *   PipelineInfo from the DELETED object alone, and from these come its git
 *   context (repository and sha: where the status goes), the opt-in flag,
 *   receiver label selectors, the status-name override, and the run's name
 *   (generateName, a CronJob owner, a CronWorkflow label). They are all of
 *   the metadata normalise() reads;
 * - `spec` as slimming keeps it: a few scalars per kind, among them the one
 *   name that comes from the spec (an Argo Workflow's `workflowTemplateRef`).
 *   Without it the cancelled status would go out under another name than the
 *   run's pending one, which would then stay pending.
 *
 * No status: a deleted run that never finished is cancelled whatever its
 * last status said (pipeline/info.ts). No resourceVersion either: the
 * object was deleted at a later version nobody saw, and without it an entry
 * changes only when its identity does, so status updates do not make the
 * persisted copy dirty.
 */
/** A tombstone's JSON. */
export type Tombstone = string;

/**
 * Only runs that a DELETED would still change are worth remembering:
 *
 * - kinds the pipeline handler normalises (the CommitStatus handler and
 *   unknown kinds skip DELETED);
 * - not a child: the handler ignores a TaskRun's DELETED ("child deleted"),
 *   its PipelineRun's own DELETED finishes the run;
 * - not finished: a finished run's deletion changes nothing, and after its
 *   state expired downstream a DELETED would even report it again, as
 *   cancelled. Judged as the normalise() the handler uses judges it
 *   (standingOf answers what normalise would, without building the run).
 */
const worthRemembering = (slim: KubeObject): boolean => {
  if (!isPipelineKind(slim.apiVersion, slim.kind)) return false;
  try {
    // The slimmed object normalises as the object does (shared/envelope/slim.ts), and costs less to read.
    const { finished, parent } = standingOf(slim);
    return parent === undefined && !finished;
  } catch {
    // Invalid for the handler too: a DELETED of it would be refused as well.
    return false;
  }
};

/**
 * The tombstone's JSON from the pieces of the slimmed object's JSON: the
 * identity metadata (what normalise() reads; resourceVersion, generation
 * and timestamps change without changing the run) and the spec, which
 * slimming keeps whatever the status. The relay has the pieces already,
 * from the event's envelope (object-json.ts).
 */
const tombstoneJson = (json: ObjectJson): Tombstone =>
  // One flat string (see envelopeJson): a rope would keep its pieces alive for as long as the set remembers the run.
  ["{", json.head, ',"metadata":', json.identity, json.spec, "}"].join("");

/**
 * The object a DELETED for this one would carry, whether or not it is worth
 * remembering. Throws for an object without a string apiVersion or kind:
 * no DELETED of it could be sent.
 */
export const tombstoneBody = (object: KubeObject): KubeObject => {
  const json = objectJson(slimObject({ ...object, status: undefined }));
  if (json === undefined) throw new TypeError("an object without apiVersion or kind has no tombstone");
  return objectOf(tombstoneJson(json));
};

/**
 * The tombstone to remember for an object, given as slimObject returned it
 * (the relay slims each event once, for its envelope and for this) and, when
 * made already, with its JSON's pieces; undefined when a later DELETED of
 * it would change nothing.
 */
export const tombstoneOfSlim = (slim: KubeObject, json?: ObjectJson): Tombstone | undefined => {
  if (!worthRemembering(slim)) return undefined;
  // A pipeline kind has a string apiVersion and kind, so the pieces can always be made.
  const pieces = json ?? objectJson(slim);
  return pieces === undefined ? undefined : tombstoneJson(pieces);
};

/** The tombstone to remember for this object, or undefined when a later DELETED of it would change nothing. */
export const tombstoneOf = (object: KubeObject): Tombstone | undefined => tombstoneOfSlim(slimObject(object));

/** The object a DELETED envelope carries for a remembered entry. */
export const objectOf = (tombstone: Tombstone): KubeObject => JSON.parse(tombstone) as KubeObject;

/** The uid of a tombstone read back from storage, or undefined when it is not one. */
export const uidOf = (value: unknown): string | undefined => {
  const object = value as { apiVersion?: unknown; kind?: unknown; metadata?: { uid?: unknown; name?: unknown } } | null;
  if (typeof object?.apiVersion !== "string" || typeof object.kind !== "string") return undefined;
  if (typeof object.metadata?.name !== "string") return undefined;
  const uid = object.metadata.uid;
  return typeof uid === "string" && uid !== "" ? uid : undefined;
};
