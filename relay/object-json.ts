import { IDENTITY_METADATA, VERSION_METADATA, type EnvelopeType, type KubeObject } from "../shared/envelope";
import { pick, type Fields } from "../shared/envelope/slim-fields";

/**
 * A slimmed object's JSON in the pieces the relay writes more than once.
 * Every watch event's envelope carries the object, and an unfinished run's
 * tombstone (known/tombstone.ts) carries its identity and spec again: made
 * from the same pieces, the two cost one serialisation instead of two.
 * JSON.stringify is the relay's largest cost per event after JSON.parse
 * (`npm run bench`), and no serialiser shares work between two documents,
 * so the pieces are joined here by hand. Each piece is JSON.stringify's own
 * output; only the braces, commas and key names around them are written
 * here, and envelopeJson's result is exactly `JSON.stringify(envelope)`
 * (test/unit/relay/object-json.test.ts checks it on upstream objects).
 */
export interface ObjectJson {
  /** `"apiVersion":…,"kind":…` */
  readonly head: string;
  /** The identity metadata (IDENTITY_METADATA), a JSON object. */
  readonly identity: string;
  /** The version metadata (VERSION_METADATA), a JSON object: the rest of it. */
  readonly version: string;
  /** `,"spec":{…}`, or empty without a spec. */
  readonly spec: string;
  /** `,"status":{…}`, or empty without a status. */
  readonly status: string;
}

const EMPTY = "{}";

/**
 * The pieces of one JSON object holding the keys of `a`, then those of `b`,
 * as JSON.stringify writes it: for the body's join, which copies them once.
 */
const joinedObjects = (a: string, b: string): string[] => {
  if (b === EMPTY) return [a];
  if (a === EMPTY) return [b];
  return [a.slice(0, -1), ",", b.slice(1)];
};

/** By apiVersion, then kind. */
const heads = new Map<string, Map<string, string>>();

/** `"apiVersion":…,"kind":…`, kept per kind: a relay watches a handful. */
const headOf = (apiVersion: string, kind: string): string => {
  let kinds = heads.get(apiVersion);
  let head = kinds?.get(kind);
  if (head === undefined) {
    head = JSON.stringify({ apiVersion, kind }).slice(1, -1);
    if (kinds === undefined && heads.size < 64) heads.set(apiVersion, (kinds = new Map()));
    if (kinds !== undefined && kinds.size < 64) kinds.set(kind, head);
  }
  return head;
};

/**
 * The pieces of a slimmed object (slimObject's output: apiVersion, kind,
 * metadata with the identity first, then spec and status when present), or
 * undefined for an object of another layout, which is then serialised whole.
 */
export const objectJson = (slim: KubeObject): ObjectJson | undefined => {
  const { apiVersion, kind, metadata } = slim;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof metadata !== "object" || metadata === null) return undefined;
  const fields = metadata as Fields;
  return {
    head: headOf(apiVersion, kind),
    identity: JSON.stringify(pick(fields, IDENTITY_METADATA)),
    version: JSON.stringify(pick(fields, VERSION_METADATA)),
    spec: slim.spec === undefined ? "" : `,"spec":${JSON.stringify(slim.spec)}`,
    status: slim.status === undefined ? "" : `,"status":${JSON.stringify(slim.status)}`,
  };
};

/**
 * The body of `makeEnvelope(cluster, type, slim, observedAt, resend)`,
 * written as JSON.stringify would: its keys in makeEnvelope's order.
 * `cluster` and `observedAt` come as JSON strings already, since the same
 * ones serve many envelopes.
 */
export const envelopeJson = (clusterJson: string, type: EnvelopeType, json: ObjectJson, observedAtJson: string, resend?: string): string =>
  // join, not `+`: it writes one flat string, where `+` makes a rope of every piece that is flattened (copied) on first read.
  [
    '{"v":1,"cluster":',
    clusterJson,
    ',"type":"',
    type,
    '",',
    json.head,
    ',"object":{',
    json.head,
    ',"metadata":',
    ...joinedObjects(json.identity, json.version),
    json.spec,
    json.status,
    '},"observedAt":',
    observedAtJson,
    resend === undefined ? "" : `,"resend":${JSON.stringify(resend)}`,
    "}",
  ].join("");
