import { describe, expect, it } from "vitest";
import { EnvelopeTooLargeError, FitLevel, fitEnvelope, makeEnvelope, SQS_LIMITS } from "../../../shared/envelope";
import { RelayMetrics } from "../../../relay/metrics";
import { Relay } from "../../../relay/relay";
import { CountingSink, memoryLog, pipelineRun } from "./doubles";

const KIB = 1024;
const huge = (bytes: number): string => "x".repeat(bytes);

describe("Function: fitEnvelope", () => {
  it("returns the envelope untouched when it is under the limit", () => {
    // Prepare
    const envelope = makeEnvelope("dev", "ADDED", pipelineRun("small"));

    // Act
    const fitted = fitEnvelope(envelope);

    // Assess
    expect(fitted.level).toBe(FitLevel.Slim);
    expect(fitted.envelope).toBe(envelope);
    expect(fitted.bytes).toBe(Buffer.byteLength(JSON.stringify(envelope)));
  });

  it("returns the envelope without spec when the spec alone is over the limit", () => {
    // Prepare
    const envelope = makeEnvelope("dev", "MODIFIED", pipelineRun("big-spec", { spec: { params: huge(300 * KIB) } }));

    // Act
    const fitted = fitEnvelope(envelope);

    // Assess
    expect(fitted.level).toBe(FitLevel.NoSpec);
    expect(fitted.envelope.object).not.toHaveProperty("spec");
    expect(fitted.envelope.object.status).toEqual(envelope.object.status);
    expect(fitted.bytes).toBeLessThanOrEqual(SQS_LIMITS.messageBytes);
  });

  it("returns only the status conditions when the status is still over the limit without spec", () => {
    // Prepare
    const conditions = [{ type: "Succeeded", status: "True", reason: "Succeeded" }];
    const object = pipelineRun("big-status", { status: { conditions, childReferences: [huge(300 * KIB)] } });

    // Act
    const fitted = fitEnvelope(makeEnvelope("dev", "MODIFIED", object));

    // Assess
    expect(fitted.level).toBe(FitLevel.ConditionsOnly);
    expect(fitted.envelope.object.status).toEqual({ conditions });
    expect(fitted.envelope.object.metadata.annotations).toHaveProperty("commit-status.argoproj.io/sha");
  });

  it("returns only the git-context annotations when other annotations are over the limit", () => {
    // Prepare
    const object = pipelineRun("big-annotations");
    object.metadata.annotations = { ...object.metadata.annotations, "example.com/blob": huge(300 * KIB) };

    // Act
    const fitted = fitEnvelope(makeEnvelope("dev", "MODIFIED", object));

    // Assess
    expect(fitted.level).toBe(FitLevel.GitAnnotationsOnly);
    expect(Object.keys(fitted.envelope.object.metadata.annotations ?? {})).toEqual(["commit-status.argoproj.io/sha"]);
  });

  it("throws EnvelopeTooLargeError naming the object when nothing left to cut makes it fit", () => {
    // Prepare
    const object = pipelineRun("hopeless", { status: { conditions: [{ type: "Succeeded", message: huge(300 * KIB) }] } });

    // Act & Assess
    expect(() => fitEnvelope(makeEnvelope("dev", "MODIFIED", object))).toThrow(EnvelopeTooLargeError);
    expect(() => fitEnvelope(makeEnvelope("dev", "MODIFIED", object))).toThrow(/PipelineRun ci\/hopeless/);
  });
});

describe("Class: Relay", () => {
  describe("Method: ship", () => {
    it("sends an object with a huge spec without spec, logs it and counts it", async () => {
      // Prepare
      const sink = new CountingSink();
      const { log, lines } = memoryLog();
      const metrics = new RelayMetrics();
      const relay = new Relay({ cluster: "dev", watch: [], sink, log, metrics, buffer: { lingerMs: 1 } });
      // Job keeps only a few spec fields, so a CommitStatus (whose spec is kept whole) carries the huge spec.
      const object = { ...pipelineRun("cs"), apiVersion: "commit-status.argoproj.io/v1alpha1", kind: "CommitStatus", spec: { description: huge(300 * KIB) } };

      // Act
      await relay.ship("ADDED", object);
      await relay.flush();

      // Assess
      expect(sink.envelopes).toHaveLength(1);
      expect(sink.envelopes[0]?.object).not.toHaveProperty("spec");
      expect(lines.filter((l) => l.level === "warn" && l.fields.level === FitLevel.NoSpec)).toHaveLength(1);
      expect(await metrics.render()).toMatch(/kube_feedback_relay_envelopes_cut_total\{level="no-spec"\} 1/);
    });

    it("drops an object that cannot be cut down, logs an error and sends the rest", async () => {
      // Prepare
      const sink = new CountingSink();
      const { log, lines } = memoryLog();
      const relay = new Relay({ cluster: "dev", watch: [], sink, log, buffer: { lingerMs: 1 } });
      // Slimming bounds condition messages, and fitting keeps the git-context annotations to the last: one this big cannot be cut down.
      const run = pipelineRun("hopeless");
      const hopeless = { ...run, metadata: { ...run.metadata, annotations: { "commit-status.argoproj.io/notes": huge(300 * KIB) } } };

      // Act
      await relay.ship("ADDED", hopeless);
      await relay.ship("ADDED", pipelineRun("fine"));
      await relay.flush();

      // Assess
      expect(sink.envelopes.map((e) => e.object.metadata.name)).toEqual(["fine"]);
      expect(lines.filter((l) => l.level === "error" && /EnvelopeTooLargeError|too large|bytes/.test(String(l.fields.error)))).toHaveLength(1);
    });
  });
});
