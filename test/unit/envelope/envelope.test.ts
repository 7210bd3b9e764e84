import { describe, expect, it } from "vitest";
import {
  InvalidEnvelopeError,
  makeEnvelope,
  messageDeduplicationId,
  messageGroupId,
  parseEnvelope,
  type KubeObject,
} from "../../../shared/envelope";

const job: KubeObject = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "migrate", namespace: "ci", uid: "u-1", resourceVersion: "42" },
};

const valid = () => makeEnvelope("prod", "MODIFIED", job, new Date("2026-11-20T10:00:00Z"));

/**
 * A valid envelope's body whose object has a spec `{ a: { a: … } }` nested
 * `levels` deep, written as text: JSON.stringify of such an object overflows
 * the stack, which is the point.
 */
const deepBody = (levels: number): string =>
  JSON.stringify({ ...valid(), object: { ...job, spec: "DEEP" } }).replace('"DEEP"', `${'{"a":'.repeat(levels - 1)}{}${"}".repeat(levels - 1)}`);

describe("Function: parseEnvelope", () => {
  it("returns the envelope when the body is a valid v1 envelope", () => {
    // Act
    const envelope = parseEnvelope(JSON.stringify(valid()));

    // Assess
    expect(envelope).toEqual(valid());
  });

  it.each([
    ["a body that is not JSON", "{nope", "", "not JSON"],
    ["an object exactly one level too deep", deepBody(63), "object.spec.a.a.a.a.a.a…", "nested deeper than 64 levels"],
    ["a wrong version", { ...valid(), v: 2 }, "v", ""],
    ["an unknown type", { ...valid(), type: "BOOKMARK" }, "type", ""],
    ["a missing uid", { ...valid(), object: { ...job, metadata: { name: "migrate" } } }, "object.metadata.uid", ""],
    ["an unknown field", { ...valid(), extra: 1 }, "extra", "unknown field"],
    ["a bad timestamp", { ...valid(), observedAt: "yesterday" }, "observedAt", ""],
    ["a kind that differs from the object's", { ...valid(), kind: "CronJob" }, "object.kind", "must match"],
    ["a cluster with a space", { ...valid(), cluster: "prod eu" }, "cluster", "MessageGroupId"],
    ["a uid with a character SQS refuses", { ...valid(), object: { ...job, metadata: { ...job.metadata, uid: "u\u00e9" } } }, "object.metadata.uid", "ASCII punctuation"],
    [
      "a uid that makes the group id longer than 128 characters",
      { ...valid(), object: { ...job, metadata: { ...job.metadata, uid: "u".repeat(124) } } },
      "object.metadata.uid",
      "MessageGroupId (cluster/uid), which is 129 characters, more than the 128 SQS allows",
    ],
    [
      "an object nested deeper than 64 levels",
      deepBody(10_000),
      "object.spec.a.a.a.a.a.a…",
      "nested deeper than 64 levels",
    ],
  ])("throws an InvalidEnvelopeError naming the field for %s", (_case, body, path, reason) => {
    // Act
    let error: unknown;
    try {
      parseEnvelope(typeof body === "string" ? body : JSON.stringify(body));
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(InvalidEnvelopeError);
    expect((error as InvalidEnvelopeError).path).toBe(path);
    expect((error as InvalidEnvelopeError).message).toContain(reason);
  });
});

describe("Function: parseEnvelope limits", () => {
  it("returns the envelope when its object is nested exactly 64 levels deep", () => {
    // Act
    const envelope = parseEnvelope(deepBody(62));

    // Assess
    expect(envelope.object.spec).toHaveProperty("a.a.a");
  });

  it("returns the envelope when cluster/uid is exactly 128 characters", () => {
    // Prepare
    const body = JSON.stringify({ ...valid(), object: { ...job, metadata: { ...job.metadata, uid: "u".repeat(123) } } });

    // Act
    const envelope = parseEnvelope(body);

    // Assess
    expect(messageGroupId(envelope)).toHaveLength(128);
  });
});

describe("Function: messageDeduplicationId", () => {
  it("returns the same id for the same cluster, uid, resourceVersion and type", () => {
    // Assess
    expect(messageDeduplicationId(valid())).toBe(messageDeduplicationId(valid()));
    expect(messageDeduplicationId(valid())).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["cluster", { ...valid(), cluster: "dev" }],
    ["type", { ...valid(), type: "RESYNC" as const }],
    ["resourceVersion", { ...valid(), object: { ...job, metadata: { ...job.metadata, resourceVersion: "43" } } }],
  ])("returns a different id when the %s differs", (_field, other) => {
    // Assess
    expect(messageDeduplicationId(other)).not.toBe(messageDeduplicationId(valid()));
  });
});

describe("Function: messageGroupId", () => {
  it("returns cluster/uid so one object's events stay in order", () => {
    // Assess
    expect(messageGroupId(valid())).toBe("prod/u-1");
  });
});
