import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Before the logger exists: the run provokes hundreds of expected warnings (failed SCM calls, retries).
const logLevel = vi.hoisted(() => {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
  return previous;
});

import { guarantees, runChaos, verifyChaos, type ChaosReport } from "../helpers/chaos";

/**
 * A reduced `npm run chaos -- --via relay`: the same faults, with the
 * CommitStatus write-back going through the relay (kubernetes.via: relay):
 * the 409s meet the relay's patches, the relay is away for a while with
 * operations queued, and the process side has no Kubernetes access.
 */
describe("Function: runChaos (kubernetes.via: relay)", () => {
  let report: ChaosReport;
  const examples = (list: string[]) => list.join("\n");

  beforeAll(async () => {
    report = verifyChaos(await runChaos({ lifecycles: 40, seed: 20261202, timeoutMs: 100_000, via: "relay", mix: { pipelineRuns: 0.3, commitStatuses: 0.5 } }));
  }, 130_000);

  afterAll(() => {
    if (logLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = logLevel;
  });

  it("settles with every CommitStatus in sync, written back by the relay, after the 409s its patches met", () => {
    // Assess
    expect(report.settled).toBe(true);
    expect(report.faults.kube409).toBeGreaterThan(0);
    expect(report.commitStatuses.expected).toBeGreaterThan(0);
    expect(report.commitStatuses.notInSync, examples(report.examples.notInSync)).toBe(0);
    expect(report.scm.wrongFinalState, examples(report.examples.wrongFinalState)).toBe(0);
  });

  it("never lets the process side call Kubernetes", () => {
    // Assess
    expect(report.kubernetes).toEqual({ via: "relay", processCalls: 0 });
  });

  it("loses no lifecycle callback, repeats none without a crash, and dead-letters only the malformed messages", () => {
    // Assess
    expect(report.callbacks.lost, examples(report.examples.lost)).toBe(0);
    expect(report.callbacks.unexplainedDuplicates, examples(report.examples.unexplained)).toBe(0);
    expect(report.deadLetters.unexplained, examples(report.examples.deadLetters)).toBe(0);
    expect(report.scm.redundant).toBe(0);
    expect(guarantees(report).filter((g) => !g.kept)).toEqual([]);
  });
});
