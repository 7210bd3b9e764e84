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

describe("Function: parseEnvelope", () => {
  it("returns the envelope when the body is a valid v1 envelope", () => {
    // Act
    const envelope = parseEnvelope(JSON.stringify(valid()));

    // Assess
    expect(envelope).toEqual(valid());
  });

  it.each([
    ["a body that is not JSON", "{nope", "", "not JSON"],
    ["a wrong version", { ...valid(), v: 2 }, "v", ""],
    ["an unknown type", { ...valid(), type: "BOOKMARK" }, "type", ""],
    ["a missing uid", { ...valid(), object: { ...job, metadata: { name: "migrate" } } }, "object.metadata.uid", ""],
    ["an unknown field", { ...valid(), extra: 1 }, "extra", "unknown field"],
    ["a bad timestamp", { ...valid(), observedAt: "yesterday" }, "observedAt", ""],
    ["a kind that differs from the object's", { ...valid(), kind: "CronJob" }, "object.kind", "must match"],
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
