import { describe, expect, it } from "vitest";
import { compileCondition } from "../../../shared/pipeline/condition";
import { VARIABLES } from "../../../shared/pipeline/condition/declarations";
import { SAMPLES } from "../../../shared/pipeline/condition/samples";
import type { Shape } from "../../../shared/pipeline/condition/shapes";
import { LifecycleEvent } from "../../../shared/pipeline/receiver";
import { PipelinePhase, type PipelineInfo } from "../../../shared/pipeline/types";

const FAILURES = `event == "finished" && pipeline.phase != "succeeded"`;
const FIXED = `event == "finished" && pipeline.phase == "succeeded" && has(previous.phase) && previous.phase == "failed"`;

const run = (phase: PipelinePhase, extra: Partial<PipelineInfo> = {}): PipelineInfo => ({
  id: "unit/ci/build-x7k2p",
  uid: "uid-1",
  cluster: "unit",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-x7k2p",
  namespace: "ci",
  phase,
  stages: [],
  labels: {},
  annotations: {},
  ...extra,
});

const failedBefore = { phase: PipelinePhase.Failed, finishedAt: "2026-01-01T09:00:00Z" };

const fieldsOf = (shape: Shape | undefined, which: "all" | "required"): string[] =>
  shape?.kind === "object" ? Object.entries(shape.fields).filter(([, field]) => which === "all" || !field.optional).map(([name]) => name).sort() : [];

describe("Function: compileCondition", () => {
  it.each([
    [LifecycleEvent.Finished, PipelinePhase.Failed, true],
    [LifecycleEvent.Finished, PipelinePhase.TimedOut, true],
    [LifecycleEvent.Finished, PipelinePhase.Succeeded, false],
    [LifecycleEvent.Started, PipelinePhase.Running, false],
    [LifecycleEvent.Progress, PipelinePhase.Failed, false],
  ])("returns a condition that gives %s of a %s run %s for the failures example", (event, phase, expected) => {
    // Act
    const condition = compileCondition(FAILURES, "receivers[0].when");

    // Assess
    expect(condition.test(event, run(phase), undefined)).toBe(expected);
    expect(condition.readsPrevious).toBe(false);
  });

  it.each([
    ["a first run", undefined, false],
    ["a run after a failure", failedBefore, true],
    ["a run after a success", { phase: PipelinePhase.Succeeded, finishedAt: "2026-01-01T09:00:00Z" }, false],
  ])("returns a condition that tells %s apart for the fixed example", (_case, previous, expected) => {
    // Act
    const condition = compileCondition(FIXED, "receivers[0].when");

    // Assess
    expect(condition.test(LifecycleEvent.Finished, run(PipelinePhase.Succeeded), previous)).toBe(expected);
    expect(condition.readsPrevious).toBe(true);
  });

  it("reads git context and labels through has() and in, whether the run has them or not", () => {
    // Prepare
    const condition = compileCondition(`has(pipeline.git.sha) && "team" in pipeline.labels && pipeline.labels.team == "web"`, "receivers[0].when");

    // Act & Assess
    expect(condition.test(LifecycleEvent.Created, run(PipelinePhase.Pending), undefined)).toBe(false);
    expect(condition.test(LifecycleEvent.Created, run(PipelinePhase.Pending, { git: { sha: "abc" }, labels: { team: "web" } }), undefined)).toBe(true);
  });

  it("returns the error of a run the start-time samples did not foresee instead of throwing", () => {
    // Prepare: every sample has both times or neither; this run has only one.
    const condition = compileCondition(`has(pipeline.finishedAt) && timestamp(pipeline.finishedAt) > timestamp(pipeline.startedAt)`, "receivers[0].when");

    // Act
    const result = condition.test(LifecycleEvent.Finished, run(PipelinePhase.Failed, { finishedAt: "2026-01-01T10:00:00Z" }), undefined);

    // Assess
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain("startedAt");
  });

  it("returns the condition compiled before for the same expression", () => {
    // Act
    const first = compileCondition(FIXED, "receivers[0].when");
    const second = compileCondition(FIXED, "receivers[3].when");

    // Assess
    expect(second).toBe(first);
  });

  it("tells whether an expression reads previous anywhere, also inside a macro", () => {
    // Act & Assess
    expect(compileCondition(`pipeline.stages.exists(s, has(previous.phase) && s.phase == previous.phase)`, "w").readsPrevious).toBe(true);
    expect(compileCondition(`event == "finished"`, "w").readsPrevious).toBe(false);
  });
});

describe("Constant: SAMPLES", () => {
  it("leaves out exactly the fields declared optional in one run and sets every field in another", () => {
    // Prepare
    const bare = SAMPLES.find((s) => s.label.endsWith("no optional field set and no stages"))!.bindings.pipeline;
    const full = SAMPLES.find((s) => s.label.endsWith("every optional field set"))!.bindings.pipeline;
    const pipeline = VARIABLES.pipeline;
    const git = pipeline?.kind === "object" ? pipeline.fields.git?.shape : undefined;

    // Assess
    expect(Object.keys(bare).sort()).toEqual(fieldsOf(pipeline, "required"));
    expect(Object.keys(full).sort()).toEqual(fieldsOf(pipeline, "all"));
    expect(Object.keys(bare.git)).toEqual([]);
    expect(Object.keys(full.git).sort()).toEqual(fieldsOf(git, "all"));
  });

  it("gives every event only with the phases a run can have when it is called", () => {
    // Act
    const pairs = new Set(SAMPLES.map((s) => `${s.bindings.event}:${s.bindings.pipeline.phase}`));

    // Assess
    expect(pairs.has(`${LifecycleEvent.Finished}:${PipelinePhase.Running}`)).toBe(false);
    expect(pairs.has(`${LifecycleEvent.Started}:${PipelinePhase.Pending}`)).toBe(false);
    expect(pairs.has(`${LifecycleEvent.Finished}:${PipelinePhase.Cancelled}`)).toBe(true);
    expect(pairs.has(`${LifecycleEvent.Created}:${PipelinePhase.Pending}`)).toBe(true);
  });
});
