import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { EnvelopeMaker } from "../../../relay/envelopes";
import { tombstoneOf } from "../../../relay/known/tombstone";
import { envelopeJson, objectJson } from "../../../relay/object-json";
import { envelopeBody, IDENTITY_METADATA, makeEnvelope, slimObject, type KubeObject } from "../../../shared/envelope";

const FIXTURES = new URL("../../fixtures/upstream/", import.meta.url);

/** Every object under test/fixtures/upstream (sources in each file's header), by its path there. */
const upstream: Array<[string, KubeObject]> = readdirSync(FIXTURES, { recursive: true, encoding: "utf8" })
  .filter((path) => path.endsWith(".yaml"))
  .sort()
  .map((path) => [path, parse(readFileSync(new URL(path, FIXTURES), "utf8")) as KubeObject]);

/** The fixture, and the same object with metadata that JSON and slimming treat with care. */
const variants = (object: KubeObject): Array<[string, KubeObject]> => {
  const metadata = object.metadata ?? {};
  return [
    ["as upstream wrote it", object],
    ["without labels, annotations or namespace", { ...object, metadata: { name: metadata.name, uid: metadata.uid ?? "u-1" } as KubeObject["metadata"] }],
    [
      "with quotes, a __proto__ key and non-ASCII text in its metadata",
      {
        ...object,
        metadata: {
          ...metadata,
          uid: metadata.uid ?? "u-2",
          labels: JSON.parse('{"__proto__":"x","app":"a \\"quoted\\" \\u2028 name"}') as Record<string, string>,
          annotations: { "commit-status.argoproj.io/status-name": "build ✓ — über" },
          resourceVersion: "42",
          generation: 3,
        },
      },
    ],
    ["without spec and status", { apiVersion: object.apiVersion, kind: object.kind, metadata: { ...metadata, uid: metadata.uid ?? "u-3" } }],
    ["with nothing in its metadata but versions", { ...object, metadata: { resourceVersion: "7", generation: 2 } as unknown as KubeObject["metadata"] }],
  ];
};

const cases = upstream.flatMap(([path, object]) => variants(object).map(([how, variant]): [string, string, KubeObject] => [path, how, variant]));

describe("Function: envelopeJson", () => {
  it.each(cases)("writes exactly JSON.stringify(envelope) for %s, %s", (_path, _how, object) => {
    // Arrange
    const slim = slimObject(object);
    const json = objectJson(slim)!;

    for (const resend of [undefined, "a".repeat(64)]) {
      // Act
      const written = envelopeJson(JSON.stringify("prod-eu"), "MODIFIED", json, JSON.stringify("2026-12-02T10:00:00.000Z"), resend);

      // Assess
      expect(written).toBe(JSON.stringify(makeEnvelope("prod-eu", "MODIFIED", slim, "2026-12-02T10:00:00.000Z", resend)));
    }
  });
});

describe("Function: objectJson", () => {
  it.each(cases)("gives the identity metadata of %s, %s, as the tombstone carries it", (_path, _how, object) => {
    // Arrange
    const slim = slimObject(object);
    const expected = Object.fromEntries(IDENTITY_METADATA.filter((key) => (slim.metadata as Record<string, unknown>)[key] !== undefined).map((key) => [key, (slim.metadata as Record<string, unknown>)[key]]));

    // Act
    const json = objectJson(slim)!;

    // Assess
    expect(JSON.parse(json.identity)).toEqual(expected);
    expect({ ...JSON.parse(json.identity), ...JSON.parse(json.version) }).toEqual(JSON.parse(JSON.stringify(slim.metadata)));
  });

  it("keeps each apiVersion and kind's own head, however their names split", () => {
    // Arrange
    const one = slimObject({ apiVersion: "example.com/v1 beta", kind: "Run", metadata: { name: "a", uid: "u-a" } } as KubeObject);
    const other = slimObject({ apiVersion: "example.com/v1", kind: "beta Run", metadata: { name: "b", uid: "u-b" } } as KubeObject);

    // Act
    const heads = [objectJson(one)!.head, objectJson(other)!.head];

    // Assess
    expect(heads).toEqual(['"apiVersion":"example.com/v1 beta","kind":"Run"', '"apiVersion":"example.com/v1","kind":"beta Run"']);
  });

  it("makes no pieces of an object without a string apiVersion or kind", () => {
    // Act & Assess
    expect(objectJson({ kind: 7, metadata: { name: "x", uid: "u" } } as unknown as KubeObject)).toBeUndefined();
  });
});

/** What a tombstone meant before it was written from the envelope's pieces: the identity metadata and the spec, no status. */
const tombstoneMeaning = (slim: KubeObject): KubeObject => {
  const metadata = Object.fromEntries(IDENTITY_METADATA.flatMap((key) => ((slim.metadata as Record<string, unknown>)[key] === undefined ? [] : [[key, (slim.metadata as Record<string, unknown>)[key]]])));
  return JSON.parse(JSON.stringify({ apiVersion: slim.apiVersion, kind: slim.kind, metadata, ...(slim.spec ? { spec: slim.spec } : {}) })) as KubeObject;
};

describe("Class: EnvelopeMaker", () => {
  it.each(cases)("keeps the JSON it joined as the body of %s, %s, without serialising the envelope", (_path, _how, object) => {
    // Arrange
    const maker = new EnvelopeMaker("prod-eu");
    const stringify = vi.spyOn(JSON, "stringify");

    // Act
    const { envelope } = maker.make("ADDED", object);
    const serialised = stringify.mock.calls.some(([value]) => value === envelope);
    stringify.mockRestore();

    // Assess
    expect(serialised).toBe(false);
    expect(envelopeBody(envelope).body).toBe(JSON.stringify(envelope));
  });

  it("has unfinished runs among the cases, whose tombstones the next test reads", () => {
    // Assess
    expect(cases.filter(([, , object]) => tombstoneOf(object) !== undefined).length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)("remembers for %s, %s, the identity and spec a DELETED needs, as tombstoneOf does", (_path, _how, object) => {
    // Arrange
    const maker = new EnvelopeMaker("prod-eu");
    maker.make("MODIFIED", object);

    // Act
    const tombstone = maker.tombstone(object);

    // Assess
    expect(tombstone).toBe(tombstoneOf(object));
    if (tombstone !== undefined) expect(JSON.parse(tombstone)).toEqual(tombstoneMeaning(slimObject(object)));
  });

  it("serialises an object whose pieces cannot be made whole, as before", () => {
    // Arrange
    const object = { apiVersion: "v1", kind: "Thing", metadata: { name: "x", uid: "u" } } as KubeObject;
    const odd = { ...object, kind: undefined } as unknown as KubeObject;

    // Act
    const { envelope } = new EnvelopeMaker("prod-eu").make("ADDED", odd);

    // Assess
    expect(envelopeBody(envelope).body).toBe(JSON.stringify(envelope));
  });
});
