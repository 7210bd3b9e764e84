import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Before the logger exists: the run provokes hundreds of expected warnings (failed SCM calls, retries).
const logLevel = vi.hoisted(() => {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
  return previous;
});

import { guarantees, runChaos, verifyChaos, type ChaosReport } from "../helpers/chaos";

/** A reduced `npm run chaos`: same engine, fewer lifecycles, a fixed seed. */
describe("Function: runChaos", () => {
  let report: ChaosReport;
  const examples = (list: string[]) => list.join("\n");

  beforeAll(async () => {
    report = verifyChaos(await runChaos({ lifecycles: 60, seed: 20261120, timeoutMs: 90_000 }));
  }, 120_000);

  afterAll(() => {
    if (logLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = logLevel;
  });

  it("settles and re-lists every watched resource after the watch history expires and after the relay restarts", () => {
    // Assess: the first list, one after the 410, one by the restarted relay.
    expect(report.settled).toBe(true);
    expect(report.relay.fewestLists).toBeGreaterThanOrEqual(3);
  });

  it("loses no lifecycle callback when messages are duplicated, reordered, retried and re-listed", () => {
    // Assess
    expect(report.callbacks.lost, examples(report.examples.lost)).toBe(0);
  });

  it("repeats a lifecycle callback only after a crash between its previous call and the repeat", () => {
    // Assess
    expect(report.callbacks.unexplainedDuplicates, examples(report.examples.unexplained)).toBe(0);
  });

  it("calls created, started and finished in that order per run and receiver", () => {
    // Assess
    expect(report.callbacks.outOfOrder, examples(report.examples.outOfOrder)).toBe(0);
    expect(report.callbacks.wrongOutcome).toBe(0);
  });

  it("never reports progress that moves back to an earlier phase when old events arrive late", () => {
    // Assess
    expect(report.callbacks.progressBackwards, examples(report.examples.progressBackwards)).toBe(0);
  });

  it("leaves every CommitStatus in sync and every run's outcome on GitHub after retrying the writes GitHub refused", () => {
    // Assess
    expect(report.scm.writeRequests).toBeGreaterThan(report.scm.accepted);
    expect(report.commitStatuses.notInSync, examples(report.examples.notInSync)).toBe(0);
    expect(report.scm.wrongFinalState, examples(report.examples.wrongFinalState)).toBe(0);
  });

  it("dead-letters the malformed messages put on the queue and nothing else", () => {
    // Assess
    expect(report.deadLetters.unexplained, examples(report.examples.deadLetters)).toBe(0);
    expect(report.deadLetters.missing, examples(report.examples.deadLetters)).toBe(0);
  });

  it("writes no SCM status twice, but for one repeat per crash that lost the record of a post", () => {
    // Assess
    expect(report.scm.redundant).toBe(0);
    expect(guarantees(report).filter((g) => !g.kept)).toEqual([]);
  });
});
