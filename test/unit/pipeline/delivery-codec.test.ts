import { describe, expect, it } from "vitest";
import { planClaims, reopenClaims, settleAssignments } from "../../../shared/pipeline/deliveries";
import { encodeDeliveries } from "../../../shared/pipeline/delivery-codec";
import type { RunState } from "../../../shared/pipeline/lifecycle";
import { runAssignments, runRecord, runStateOf, type RunRecord } from "../../../shared/pipeline/run-record";
import { PipelinePhase } from "../../../shared/pipeline/types";

const running: RunState = {
  info: {
    id: "c/ns/run-x1",
    uid: "u1",
    cluster: "c",
    apiVersion: "batch/v1",
    kind: "Job",
    name: "run-x1",
    namespace: "ns",
    phase: PipelinePhase.Running,
    stages: [],
    labels: {},
    annotations: {},
  },
  stages: [],
  deliveries: {},
};

/** Applies path writes to a stored item the way DynamoDB's SET does. */
const apply = (record: RunRecord, writes: ReadonlyArray<{ path: readonly string[]; value: unknown }>): RunRecord => {
  const out = structuredClone(record) as Record<string, unknown>;
  for (const { path, value } of writes) {
    let at = out;
    for (const segment of path.slice(0, -1)) at = at[segment] as Record<string, unknown>;
    at[path.at(-1)!] = value;
  }
  return out as RunRecord;
};

describe("Delivery marks in the run item", () => {
  it("stores each receiver's marks as letters and claims as their expiry", () => {
    // Act
    const stored = encodeDeliveries({
      scm: { created: { s: "done" }, started: { s: "skipped" }, finished: { s: "claimed", exp: 61_000 }, progress: { s: "claimed", exp: 61_000, h: "abc" }, ph: "h0", pc: 2, mem: { at: "x" } },
      hook: { created: { s: "failed" }, started: { s: "open" }, lastError: "HTTP 500" },
    });

    // Assess
    expect(stored).toEqual({
      scm: { c: "d", s: "k", f: 61_000, p: [61_000, "abc"], h: "h0", n: 2, m: { at: "x" } },
      hook: { c: "x", s: "o", e: "HTTP 500" },
    });
  });

  it("records the calls' outcome and reopens claims path by path, in the stored form", () => {
    // Prepare: claims written with the run, as the pipeline handler does before calling.
    const plan = planClaims(running, ["scm"], 1_000, 60_000);
    const claimed = runRecord(plan.state, "2026-11-20T10:00:00Z");

    // Act
    const settled = apply(claimed, runAssignments(settleAssignments([{ call: plan.calls[0]!, delivered: 1, error: new Error("HTTP 502"), progressCount: 0, memory: { at: "x" } }])));
    const reopened = apply(claimed, runAssignments(reopenClaims(runStateOf({ data: claimed }))));

    // Assess
    expect(runStateOf({ data: settled }).deliveries.scm).toEqual({
      created: { s: "done" },
      started: { s: "open" },
      progress: { s: "open" },
      lastError: "HTTP 502",
      mem: { at: "x" },
    });
    const plannedHash = plan.calls[0]!.hash;
    expect(runStateOf({ data: reopened }).deliveries.scm).toEqual({
      created: { s: "claimed", exp: 0 },
      started: { s: "claimed", exp: 0 },
      progress: { s: "claimed", exp: 0, h: plannedHash },
    });
  });

  it("refuses a write outside a receiver's delivery fields", () => {
    expect(() => runAssignments([{ path: ["deliveries", "scm", "created", "s"], value: "done" }])).toThrow(/not a delivery field/);
    expect(() => runAssignments([{ path: ["info", "phase"], value: "failed" }])).toThrow(/not a delivery field/);
  });
});
