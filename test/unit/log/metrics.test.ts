import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_METRICS_NAMESPACE,
  metrics,
  recordDeadLetter,
  recordDelivery,
  recordRetry,
  recordScmCall,
  recordVerdict,
} from "../../../shared/metrics";

// Powertools decides at construction whether metrics print, and the module
// builds its instance on import; POWERTOOLS_DEV (set for tests) turns them off
// unless this says otherwise. vi.hoisted runs before the imports.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
});


interface Emf {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

const total = (value: unknown): number => (Array.isArray(value) ? value.reduce((a: number, b: number) => a + b, 0) : Number(value));

describe("Class: FeedbackMetrics", () => {
  let printed: string[];

  beforeEach(() => {
    printed = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void printed.push(String(line)));
    vi.spyOn(console, "warn").mockImplementation((line: unknown) => void printed.push(`WARN ${String(line)}`));
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(() => {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });

  describe("Method: publishStoredMetrics", () => {
    it("prints one EMF object per set of dimension values plus one with the service totals", () => {
      // Prepare
      recordVerdict("Job", "Completed");
      recordVerdict("Job", "Completed");
      recordVerdict("PipelineRun", "Retry");
      recordRetry("PipelineRun");
      recordDeadLetter("Job", "Failure");
      recordDelivery("hook", "created", "delivered");
      recordScmCall("github", "createCheckRun", 120, "success");

      // Act
      metrics.publishStoredMetrics();

      // Assess
      const blobs = printed.map((line) => JSON.parse(line) as Emf);
      expect(blobs).toHaveLength(8);
      const find = (dims: Record<string, string>) =>
        blobs.filter((b) => Object.entries(dims).every(([k, v]) => b[k] === v) && b._aws.CloudWatchMetrics[0]!.Dimensions[0]!.length === Object.keys(dims).length + 1);
      expect(total(find({ kind: "Job", verdict: "Completed" })[0]?.EventsProcessed)).toBe(2);
      expect(total(find({ kind: "PipelineRun", verdict: "Retry" })[0]?.EventsProcessed)).toBe(1);
      expect(total(find({ kind: "PipelineRun" })[0]?.EventRetries)).toBe(1);
      expect(total(find({ kind: "Job", status: "Failure" })[0]?.DeadLettered)).toBe(1);
      expect(total(find({ receiver: "hook", event: "created", outcome: "delivered" })[0]?.Deliveries)).toBe(1);
      expect(total(find({ provider: "github", operation: "createCheckRun", outcome: "success" })[0]?.ScmCalls)).toBe(1);
      expect(total(find({ provider: "github", operation: "createCheckRun" })[0]?.ScmLatency)).toBe(120);
      const totals = find({})[0]!;
      expect(total(totals.EventsProcessed)).toBe(3);
      expect(total(totals.Deliveries)).toBe(1);
      expect(totals.service).toBe("kube-feedback");
      for (const blob of blobs) expect(blob._aws.CloudWatchMetrics[0]!.Namespace).toBe(DEFAULT_METRICS_NAMESPACE);
    });

    it("prints nothing and warns about nothing when nothing was recorded since the last flush", () => {
      // Act
      metrics.publishStoredMetrics();

      // Assess
      expect(printed).toEqual([]);
    });
  });
});
