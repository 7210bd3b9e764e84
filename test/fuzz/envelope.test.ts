import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ENVELOPE_LIMITS,
  InvalidEnvelopeError,
  makeEnvelope,
  messageDeduplicationId,
  messageGroupId,
  parseEnvelope,
  sqsIdProblem,
  type Envelope,
} from "../../shared/envelope";
import { dotted, expectNamedRejection, FUZZ, isPlainObject, json, Mutation, mutationOf } from "./arbitraries";

const VALID: Envelope = makeEnvelope(
  "fuzz",
  "MODIFIED",
  {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: { name: "build-1", namespace: "ci", uid: "5f0c2d1e-8a4b-4c7e-9d3f-1b2a3c4d5e6f", resourceVersion: "42", labels: { app: "shop" }, annotations: { "commit-status.argoproj.io/sha": "4b825dc642cb6eb9a060e54bf8d69288fbee4904" } },
    status: { conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }] },
  },
  new Date("2026-11-20T10:00:00Z"),
);

const isJsonObject = (body: string): boolean => {
  try {
    return isPlainObject(JSON.parse(body));
  } catch {
    return false;
  }
};

/**
 * Either an envelope that parses again to itself and makes FIFO ids SQS
 * accepts, or a named rejection; a blank path only for a body that is not a
 * JSON object.
 */
const check = (body: string): { envelope?: Envelope; path?: string } => {
  try {
    const envelope = parseEnvelope(body);
    expect(parseEnvelope(JSON.stringify(envelope))).toEqual(envelope);
    expect(sqsIdProblem(messageGroupId(envelope))).toBeUndefined();
    expect(sqsIdProblem(messageDeduplicationId(envelope))).toBeUndefined();
    return { envelope };
  } catch (error) {
    const { path } = expectNamedRejection(error, InvalidEnvelopeError, { prefix: "invalid envelope: " });
    if (path === "") expect(isJsonObject(body), body).toBe(false);
    return { path };
  }
};

/** The envelope checks apiVersion and kind against its object's after the schema: that error names object.kind. */
const IDENTITY = new Set(["apiVersion", "kind", "object.apiVersion", "object.kind"]);

describe("Function: parseEnvelope", () => {
  it("returns an envelope or a named rejection when the body is any string", () => {
    fc.assert(fc.property(fc.string(), (body) => void check(body)), FUZZ);
  });

  it("returns an envelope or a named rejection when the body is any JSON", () => {
    fc.assert(fc.property(json, (value) => void check(JSON.stringify(value))), FUZZ);
  });

  it("names the field a mutation broke when one field of a valid envelope is deleted, replaced or added", () => {
    fc.assert(
      fc.property(mutationOf(VALID), (mutation) => {
        // Act
        const { path } = check(JSON.stringify(mutation.value));

        // Assess
        if (path === undefined) return;
        const mutated = dotted(mutation.path);
        const related = path === mutated || path.startsWith(`${mutated}.`) || path.startsWith(`${mutated}[`);
        expect(related || (path === "object.kind" && IDENTITY.has(mutated)), `${mutation.kind} at ${mutated} rejected at ${path}`).toBe(true);
      }),
      FUZZ,
    );
  });

  it("rejects an unknown top-level field by its name when a field is added", () => {
    fc.assert(
      fc.property(
        mutationOf(VALID).filter((m) => m.kind === Mutation.AddKey && m.path.length === 1),
        (mutation) => {
          // Act
          const { path } = check(JSON.stringify(mutation.value));

          // Assess
          expect(path).toBe(dotted(mutation.path));
        },
      ),
      { ...FUZZ, numRuns: 50 },
    );
  });

  it("accepts an object up to the depth limit and rejects a deeper one naming its path, at any depth and through arrays or objects", () => {
    const step = fc.constantFrom(["[", "]"], ['{"a":', "}"], ['{"list":[', "]}"]);
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 3000, size: "max" }), (steps) => {
        // Prepare: the first step is status, the envelope's third level; each step adds one level, a list in an object two.
        const open = steps.map(([o]) => o).join("");
        const close = steps.map(([, c]) => c).reverse().join("");
        const levels = 2 + steps.reduce((n, [o]) => n + (o.includes("[") && o.includes("{") ? 2 : 1), 0);
        const body = JSON.stringify({ ...VALID, object: { ...VALID.object, status: "X" } }).replace('"X"', `${open}0${close}`);

        // Act
        const { envelope, path } = check(body);

        // Assess
        if (levels <= ENVELOPE_LIMITS.maxDepth) expect(envelope).toBeDefined();
        else expect(path).toMatch(/^object\.status[.[]/);
      }),
      { ...FUZZ, numRuns: 100 },
    );
  });

  describe("Regression: an unknown field named by the empty string", () => {
    it('says [""] instead of leaving the field out of the message', () => {
      // Prepare
      const body = JSON.stringify({ ...VALID, "": 1 });

      // Act & Assess
      expect(() => parseEnvelope(body)).toThrow('invalid envelope: [""]: unknown field');
    });
  });
});
