import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { slimObject } from "../../../shared/envelope";
import { toPipelineInfo } from "../../../shared/pipeline/info";
import { advance, advanceStage, emptyRunState } from "../../../shared/pipeline/lifecycle";
import { normalise, stageOfTaskRun } from "../../../shared/pipeline/normalise";
import { PipelinePhase as P } from "../../../shared/pipeline/types";

type Json = Record<string, any>;

/** An object from test/fixtures/upstream (its source is in the file's header). */
const upstream = (name: string): Json => {
  const object = parse(readFileSync(new URL(`../../fixtures/upstream/tekton/${name}`, import.meta.url), "utf8")) as Json;
  // Objects from upstream unit tests may lack a namespace, which the API server always sets.
  return { ...object, metadata: { namespace: "default", ...object.metadata } };
};

/**
 * The upstream object with the `Succeeded` condition the reconciler sets in
 * a given situation: the (status, reason) pairs of tektoncd/pipeline
 * pkg/reconciler/pipelinerun/resources/pipelinerunstate_test.go
 * (TestGetPipelineConditionStatus) and of releases before v0.36 for
 * `PipelineRunCancelled`. No upstream file holds a whole PipelineRun in these
 * states, so only the condition is set.
 */
const withCondition = (name: string, status: "True" | "False" | "Unknown", reason: string, message = ""): Json => {
  const obj = upstream(name);
  return { ...obj, status: { ...obj.status, conditions: [{ type: "Succeeded", status, reason, message, lastTransitionTime: "2023-06-09T21:13:55Z" }] } };
};

const stagesOf = (obj: Json): string[] => normalise(obj).stages.map((s) => `${s.name}:${s.phase}`);

describe("Function: normalise (Tekton objects from upstream)", () => {
  it.each([
    // v1beta1 embeds its children's statuses; v1 only references them.
    ["pipelinerun-v1beta1-taskruns-succeeded.yaml", P.Succeeded, ["task1:succeeded", "task2:succeeded"]],
    ["pipelinerun-v1beta1-finally-taskruns-runs-succeeded.yaml", P.Succeeded, ["c-task:succeeded", "a-task:succeeded", "b-task:succeeded"]],
    ["pipelinerun-v1-childrefs-succeeded.yaml", P.Succeeded, ["b-task:pending", "a-task:pending"]],
    ["pipelinerun-v1-timeout.yaml", P.TimedOut, ["wait:pending"]],
    ["pipelinerun-v1beta1-timeout-childrefs.yaml", P.TimedOut, ["wait:pending"]],
    ["pipelinerun-v1-pending.yaml", P.Pending, []],
    ["pipelinerun-v1-pipelinevalidationfailed.yaml", P.Errored, ["task1:pending", "task2:pending"]],
    // Graceful cancel requested, finally tasks still running: not finished.
    ["pipelinerun-v1-cancelledrunfinally-finally-running.yaml", P.Running, ["final-task-1:pending", "hello-world-1:pending"]],
    ["pipelinerun-v1beta1-cancelledrunfinally-finally-running.yaml", P.Running, ["final-task-1:pending", "hello-world-1:succeeded"]],
    ["pipelinerun-v1-skippedtasks-input.yaml", P.Pending, ["a-task:skipped"]],
  ])("reads %s as %s with its stages", (name, phase, stages) => {
    expect(normalise(upstream(name)).phase).toBe(phase);
    expect(stagesOf(upstream(name))).toEqual(stages);
  });

  it("lists declared tasks in order, finally tasks last, and skipped tasks as skipped stages", () => {
    const stages = stagesOf(upstream("pipelinerun-v1-failed-finally-skippedtasks.yaml"));
    expect(stages.slice(0, 5)).toEqual(["dagtask1:pending", "dagtask2:pending", "dagtask3:skipped", "dagtask4:skipped", "dagtask5:pending"]);
    expect(stages.indexOf("finaltask1:pending")).toBeGreaterThan(stages.indexOf("dagtask5:pending"));
    expect(stages.filter((s) => s.endsWith(":skipped"))).toHaveLength(10);
    expect(normalise(upstream("pipelinerun-v1-failed-finally-skippedtasks.yaml")).phase).toBe(P.Failed);
  });

  it.each([
    ["False", "PipelineRunCancelled", P.Cancelled],
    ["False", "Cancelled", P.Cancelled],
    ["False", "CancelledRunFinally", P.Cancelled],
    ["False", "StoppedRunFinally", P.Cancelled],
    ["False", "PipelineRunTimeout", P.TimedOut],
    ["False", "CouldntGetPipeline", P.Errored],
    ["False", "Failed", P.Failed],
    ["True", "Completed", P.Succeeded],
    // In progress until the condition is final, whatever the reason says.
    ["Unknown", "Cancelled", P.Running],
    ["Unknown", "CancelledRunningFinally", P.Running],
    ["Unknown", "StoppedRunningFinally", P.Running],
    ["Unknown", "PipelineRunStopping", P.Running],
    ["Unknown", "PipelineRunPending", P.Pending],
  ] as const)("reads a PipelineRun whose condition is %s/%s as %s", (status, reason, phase) => {
    expect(normalise(withCondition("pipelinerun-v1-cancelledrunfinally-finally-running.yaml", status, reason)).phase).toBe(phase);
  });

  it.each([
    ["taskrun-v1-failed-retries-left.yaml", P.Running],
    ["taskrun-v1-tobe-retried-after-timeout.yaml", P.Running],
    ["taskrun-v1-tobe-retried-step-terminated.yaml", P.Running],
    ["taskrun-v1-retry-running.yaml", P.Running],
    ["taskrun-v1-cancelled.yaml", P.Cancelled],
    ["taskrun-v1-succeeded-steps-terminated.yaml", P.Succeeded],
    ["taskrun-v1-validationfailed.yaml", P.Errored],
  ])("reads %s as %s", (name, phase) => {
    expect(normalise(upstream(name)).phase).toBe(phase);
  });

  it("finishes a retried TaskRun with its last attempt once no retry is left", () => {
    // The retry's own outcome: the attempt in retriesStatus failed, this one succeeded.
    const retried = withCondition("taskrun-v1-retry-running.yaml", "True", "Succeeded");
    expect(normalise(retried).phase).toBe(P.Succeeded);
    // A failure after the last retry is final.
    expect(normalise(withCondition("taskrun-v1-retry-running.yaml", "False", "Failed")).phase).toBe(P.Failed);
  });
});

describe("Function: advance (a finished PipelineRun's report)", () => {
  const info = (obj: Json) => toPipelineInfo("c1", normalise(obj));
  const finishedFailed = () =>
    withCondition("pipelinerun-v1-childrefs-succeeded.yaml", "False", "Failed", "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0");

  it("settles stages it never saw finished from the run's own tally, never leaving one pending", () => {
    const ended = advance(emptyRunState(), info(upstream("pipelinerun-v1-childrefs-succeeded.yaml")));
    expect(ended.state.info!.stages.map((s) => `${s.name}:${s.phase}`)).toEqual(["b-task:succeeded", "a-task:succeeded"]);
    expect(ended.state.info!.stages.every((s) => s.inferred)).toBe(true);
  });

  it("gives the one missing failure to the one stage not seen finished", () => {
    const afterB = advanceStage(emptyRunState(), { name: "b-task", phase: P.Succeeded });
    const ended = advance(afterB.state, info(finishedFailed()));
    expect(ended.state.info!.stages.map((s) => `${s.name}:${s.phase}`)).toEqual(["b-task:succeeded", "a-task:failed"]);
  });

  it("lets a late TaskRun replace an inferred stage, and drops one that would put a stage back to pending", () => {
    const ended = advance(emptyRunState(), info(finishedFailed()));
    const late = advanceStage(ended.state, { name: "a-task", phase: P.Running });
    expect(late.stale).toBe(true);
    const observed = advanceStage(ended.state, { name: "a-task", phase: P.Failed, message: '"step-build" exited with code 1' });
    const stage = observed.state.info!.stages.find((s) => s.name === "a-task")!;
    expect(stage).toMatchObject({ phase: P.Failed, message: '"step-build" exited with code 1' });
    expect(stage.inferred).toBeUndefined();
  });

  it("keeps a TaskRun's stage when the TaskRun's events come before its PipelineRun's", () => {
    const child = upstream("taskrun-v1-succeeded-steps-terminated.yaml");
    const stage = stageOfTaskRun(normalise(child), { metadata: { labels: { "tekton.dev/pipelineTask": "a-task" } } });
    const first = advanceStage(emptyRunState(), stage);
    const ended = advance(first.state, info(upstream("pipelinerun-v1-childrefs-succeeded.yaml")));
    const a = ended.state.info!.stages.find((s) => s.name === "a-task")!;
    expect(a.phase).toBe(P.Succeeded);
    expect(a.inferred).toBeUndefined();
  });
});

describe("Function: normalise (long messages)", () => {
  it("reads a run with a message far over the slimming bound the same before and after slimming", () => {
    // Prepare: a validation failure message as long as a controller may write.
    const long = withCondition("taskrun-v1-validationfailed.yaml", "False", "TaskRunValidationFailed", `${"x".repeat(20_000)} end`);

    // Act
    const direct = normalise(long);
    const slimmed = normalise(slimObject(long as never));

    // Assess
    expect(slimmed).toEqual(direct);
    expect(direct.message!.length).toBeLessThanOrEqual(2048);
  });
});
