import { describe, expect, it } from "vitest";
import { planClaims, reopenClaims, settleAssignments } from "../../../shared/pipeline/deliveries";
import { toPipelineInfo } from "../../../shared/pipeline/info";
import { advance, emptyRunState, mergeStages, type RunState } from "../../../shared/pipeline/lifecycle";
import type { PipelineInfo, PipelinePhase } from "../../../shared/pipeline/types";

const info = (phase: PipelinePhase, stages: Array<[string, PipelinePhase]> = []): PipelineInfo => ({
  id: "c/ns/run",
  uid: "u",
  cluster: "c",
  apiVersion: "batch/v1",
  kind: "Job",
  name: "run",
  namespace: "ns",
  phase,
  stages: stages.map(([name, p]) => ({ name, phase: p })),
  labels: {},
  annotations: {},
});

const stateAt = (phase: PipelinePhase, stages: Array<[string, PipelinePhase]> = []): RunState =>
  advance(emptyRunState(), info(phase, stages)).state;

describe("Function: advance", () => {
  it("returns stale when the incoming phase ranks below the stored one", () => {
    // Act
    const result = advance(stateAt("running"), info("pending"));

    // Assess
    expect(result).toMatchObject({ stale: true, changed: false });
  });

  it("keeps the first terminal phase when a different terminal phase arrives", () => {
    // Act
    const result = advance(stateAt("failed"), info("succeeded"));

    // Assess
    expect(result.state.info?.phase).toBe("failed");
    expect(result.changed).toBe(false);
  });

  it("returns unchanged for the same state delivered twice", () => {
    // Act
    const result = advance(stateAt("running", [["a", "running"]]), info("running", [["a", "running"]]));

    // Assess
    expect(result).toMatchObject({ stale: false, changed: false });
  });
});

describe("Function: mergeStages", () => {
  it("never moves a stage back to a lower rank", () => {
    // Act
    const merged = mergeStages([{ name: "a", phase: "succeeded" }], [{ name: "a", phase: "running" }, { name: "b", phase: "pending" }]);

    // Assess
    expect(merged).toEqual([{ name: "a", phase: "succeeded" }, { name: "b", phase: "pending" }]);
  });
});

describe("Function: planClaims", () => {
  it("synthesises created and started before finished for a run first seen finished", () => {
    // Act
    const plan = planClaims(stateAt("succeeded"), ["r"], 1_000, 60_000);

    // Assess
    expect(plan.calls).toEqual([{ receiver: "r", events: ["created", "started", "progress", "finished"], hash: expect.any(String) }]);
    expect(plan.state.deliveries.r?.created).toEqual({ s: "claimed", exp: 61_000 });
  });

  it("holds a receiver back while its claim is still leased elsewhere", () => {
    // Prepare
    const claimed = planClaims(stateAt("running"), ["r"], 1_000, 60_000).state;

    // Act
    const plan = planClaims(claimed, ["r"], 2_000, 60_000);

    // Assess
    expect(plan.calls).toEqual([]);
    expect(plan.blocked).toEqual(["r"]);
  });

  it("claims again once the lease expired: the one window for a repeat", () => {
    // Prepare: a process died between the call and its record.
    const claimed = planClaims(stateAt("running"), ["r"], 1_000, 60_000).state;

    // Act
    const plan = planClaims(claimed, ["r"], 61_001, 60_000);

    // Assess
    expect(plan.calls[0]?.events).toEqual(["created", "started", "progress"]);
    expect(plan.calls[0]?.repeat).toBe(true);
  });

  it("plans nothing once every callback is delivered", () => {
    // Prepare
    const first = planClaims(stateAt("running"), ["r"], 1_000, 60_000);
    const assignments = settleAssignments([{ call: first.calls[0]!, delivered: 3, progressCount: 0 }]);
    const delivered = structuredClone(first.state);
    for (const { path, value } of assignments) {
      const [, receiver, field] = path;
      (delivered.deliveries[receiver!] as Record<string, unknown>)[field!] = value;
    }

    // Act
    const plan = planClaims(delivered, ["r"], 2_000, 60_000);

    // Assess
    expect(plan.calls).toEqual([]);
    expect(plan.blocked).toEqual([]);
    expect(delivered.deliveries.r?.pc).toBe(1);
  });
});

describe("Function: reopenClaims", () => {
  it("ends the lease of every claim of every receiver and leaves the settled marks alone", () => {
    // Prepare
    const claim = { s: "claimed", exp: 61_000 } as const;
    const state: RunState = {
      ...stateAt("succeeded"),
      deliveries: {
        r: { created: { s: "done" }, started: claim, progress: { ...claim, h: "h1" }, ph: "h0", pc: 1 },
        q: { created: { s: "done" }, started: { s: "failed" }, finished: claim },
      },
    };

    // Act
    const writes = reopenClaims(state);

    // Assess
    expect(writes).toEqual([
      { path: ["deliveries", "r", "started"], value: { s: "claimed", exp: 0 } },
      { path: ["deliveries", "r", "progress"], value: { s: "claimed", exp: 0, h: "h1" } },
      { path: ["deliveries", "q", "finished"], value: { s: "claimed", exp: 0 } },
    ]);
  });

  it("lets the next plan call a reopened callback at once, before its lease would have ended, as a possible repeat", () => {
    // Prepare
    const claimed = planClaims(stateAt("running"), ["r"], 1_000, 60_000).state;
    const reopened = structuredClone(claimed);
    for (const { path, value } of reopenClaims(claimed)) {
      const [, receiver, field] = path;
      (reopened.deliveries[receiver!] as Record<string, unknown>)[field!] = value;
    }

    // Act
    const plan = planClaims(reopened, ["r"], 2_000, 60_000);

    // Assess
    expect(plan.calls[0]?.events).toEqual(["created", "started", "progress"]);
    expect(plan.calls[0]?.repeat).toBe(true);
    expect(plan.blocked).toEqual([]);
  });
});

describe("Function: settleAssignments", () => {
  it("marks the calls before a failure done, reopens the rest and records the error", () => {
    // Prepare
    const call = { receiver: "r", events: ["created", "started", "progress"] as const, hash: "h" };

    // Act
    const out = settleAssignments([{ call: { ...call, events: [...call.events] }, delivered: 1, error: new Error("boom"), progressCount: 0 }]);

    // Assess
    expect(out).toEqual([
      { path: ["deliveries", "r", "created"], value: { s: "done" } },
      { path: ["deliveries", "r", "started"], value: { s: "open" } },
      { path: ["deliveries", "r", "progress"], value: { s: "open" } },
      { path: ["deliveries", "r", "lastError"], value: "boom" },
    ]);
  });
});

describe("Function: toPipelineInfo", () => {
  it("finishes a run deleted before it finished as cancelled", () => {
    // Prepare
    const { id: _id, cluster: _c, ...run } = info("running");

    // Act
    const result = toPipelineInfo("c", run, { deleted: true });

    // Assess
    expect(result.phase).toBe("cancelled");
    expect(result.finishedAt).toBeDefined();
  });

  it("renders the dashboard URL template", () => {
    // Prepare
    const { id: _id, cluster: _c, ...run } = info("running");

    // Act
    const result = toPipelineInfo("c", run, { dashboardUrl: "https://ci.example.com/{{cluster}}/{{namespace}}/{{name}}" });

    // Assess
    expect(result.dashboardUrl).toBe("https://ci.example.com/c/ns/run");
  });
});
