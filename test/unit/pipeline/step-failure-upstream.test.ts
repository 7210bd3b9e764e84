import { describe, expect, it } from "vitest";
import { slimObject, SlimLimit, type KubeObject } from "../../../shared/envelope";
import { normalise, stageOfTaskRun } from "../../../shared/pipeline/normalise";
import { PipelinePhase as P } from "../../../shared/pipeline/types";
import { servedFixture } from "../../helpers/recorded-runs";

type Json = Record<string, any>;

/** The TaskRun whose step `build-and-push` exited with code 1 (tektoncd/dashboard's example of a 2019 cluster). */
const FAILED = "upstream/tekton/taskrun-v1beta1-failed-step-exit-code.yaml";

/** The failed TaskRun with its condition's reason and its first step's terminated state changed, as the reconciler would set them. */
const failedWith = (reason: string, terminated: Json = {}, terminationReason?: string): Json => {
  const obj = structuredClone(servedFixture(FAILED));
  obj.status.conditions[0].reason = reason;
  Object.assign(obj.status.steps[0].terminated, terminated);
  if (terminationReason) obj.status.steps[0].terminationReason = terminationReason;
  return obj;
};

const stageOf = (obj: Json) => stageOfTaskRun(normalise(obj), obj);
const stepOf = (obj: Json) => normalise(obj).stages[0]!;

describe("Function: stageOfTaskRun (the step that failed a task, from upstream TaskRuns)", () => {
  it("names the failed step, its exit code and its reason in place of the TaskRun's own message", () => {
    // Act
    const stage = stageOf(servedFixture(FAILED));

    // Assess: the TaskRun says '"step-build-and-push" exited with code 1 (image: …); for logs run: kubectl …'.
    expect(stage).toEqual({
      name: "build-skaffold-app",
      phase: P.Failed,
      startedAt: "2019-09-06T13:51:11Z",
      finishedAt: "2019-09-06T13:53:35Z",
      message: 'step "build-and-push" exited with code 1',
      step: "build-and-push",
      exitCode: 1,
      reason: "Error",
    });
  });

  it("keeps a standalone TaskRun's steps as its stages, the failed one saying why", () => {
    // Act
    const run = normalise(servedFixture(FAILED));

    // Assess
    expect(run.phase).toBe(P.Failed);
    expect(run.stages.map((s) => `${s.name}:${s.phase}`)).toEqual([
      "build-and-push:failed",
      "create-dir-builtimage-wjkl9:succeeded",
      "git-source-skaffold-git-7vl6v:succeeded",
      "image-digest-exporter-z5xdt:succeeded",
    ]);
    expect(run.stages[0]).toMatchObject({ message: "exited with code 1", exitCode: 1, reason: "Error" });
    expect(run.stages[1]).not.toHaveProperty("exitCode");
  });

  it("adds the step's own words and a telling reason (OOMKilled) to the exit code", () => {
    // Prepare: a termination message Tekton could not read as results stays as it was (pkg/pod/status.go).
    const obj = failedWith("StepOOM", { exitCode: 137, reason: "OOMKilled", message: "Step step-build-and-push ran out of memory\n" });

    // Act
    const stage = stageOf(obj);

    // Assess
    expect(stage).toMatchObject({ step: "build-and-push", exitCode: 137, reason: "OOMKilled" });
    expect(stage.message).toBe('step "build-and-push" exited with code 137 (OOMKilled): Step step-build-and-push ran out of memory');
  });

  it.each([
    ["results JSON", '[{"key":"digest","value":"sha256:0f3c","type":1}]'],
    ["compressed results", "tknz:H4sIAAAAAAAA/4uOBQApu0wNAgAAAA=="],
  ])("never takes a step's %s for its words", (_label, message) => {
    expect(stageOf(failedWith("StepFailed", { message })).message).toBe('step "build-and-push" exited with code 1');
  });

  it.each(["PodEvicted", "SidecarFailed", "InitContainerOOM", "TaskRunImagePullFailed"])(
    "blames no step when the TaskRun's reason is %s: the condition's message says why",
    (reason) => {
      const stage = stageOf(failedWith(reason));
      expect(stage.step).toBeUndefined();
      expect(stage.message).toMatch(/^"step-build-and-push" exited with code 1 \(image: /);
    },
  );

  it("blames no step of a TaskRun that will be retried", () => {
    // Prepare: a retry is due (spec.retries 1, no retriesStatus yet), so the task still runs.
    const obj = servedFixture(FAILED);
    obj.spec = { retries: 1 };

    // Act
    const stage = stageOf(obj);

    // Assess
    expect(stage.phase).toBe(P.Running);
    expect(stage.step).toBeUndefined();
  });

  it("reads a step past its own timeout as timed out, and blames it", () => {
    // Prepare: the entrypoint's reason (pkg/pod/pod.go TerminationReasonTimeoutExceeded).
    const obj = failedWith("StepFailed", {}, "TimeoutExceeded");

    // Act / Assess
    expect(stepOf(obj)).toMatchObject({ phase: P.TimedOut, message: "exceeded its timeout", reason: "TimeoutExceeded" });
    expect(stageOf(obj).message).toBe('step "build-and-push" exceeded its timeout');
  });

  it.each([
    ["Continued", "Continued"],
    // Before terminationReason: the container exited 0 and the reconciler copied the step's code from its results.
    ["Completed", undefined],
  ])("reads a step whose failure onError: continue ignored (%s) as succeeded, saying so", (reason, terminationReason) => {
    // Prepare: pkg/reconciler/taskrun/taskrun_test.go "step-status-update-with-multiple-steps-and-some-continue-on-error".
    const obj = failedWith("Failed", { exitCode: 12, reason: "Completed" }, terminationReason);
    obj.status.conditions[0] = { type: "Succeeded", status: "True", reason: "Succeeded" };

    // Act
    const step = stepOf(obj);

    // Assess
    expect(step).toMatchObject({ phase: P.Succeeded, exitCode: 12, reason });
    expect(step.message).toBe("exited with code 12, ignored (onError: continue)");
  });

  it("names the failed step of a v1beta1 PipelineRun's embedded TaskRun status too", () => {
    // Prepare: the upstream PipelineRun with the failed TaskRun's status embedded under task1's child.
    const run = servedFixture("upstream/tekton/pipelinerun-v1beta1-taskruns-succeeded.yaml");
    const [child] = Object.keys(run.status.taskRuns);
    run.status.taskRuns[child!].status = servedFixture(FAILED).status;
    run.status.conditions[0] = { type: "Succeeded", status: "False", reason: "Failed", message: "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0" };

    // Act
    const failed = normalise(run).stages.find((s) => s.phase === P.Failed);

    // Assess
    expect(failed).toMatchObject({ step: "build-and-push", exitCode: 1, message: 'step "build-and-push" exited with code 1' });
  });

  it("reads the same from the object and from its envelope, however long the step's words or results", () => {
    const words = `${"w".repeat(SlimLimit.stepMessageChars - 1)}…`;
    for (const [message, expected] of [
      ["w".repeat(5000), `step "build-and-push" exited with code 1: ${words}`],
      // Results cut short by the envelope are still results, not words.
      [`[${'{"key":"k","value":"v"},'.repeat(300)}]`, 'step "build-and-push" exited with code 1'],
    ] as const) {
      // Prepare
      const obj = failedWith("StepFailed", { message });
      const slim = JSON.parse(JSON.stringify(slimObject(obj as KubeObject))) as Json;

      // Act / Assess
      expect(stageOf(obj).message).toBe(expected);
      expect(stageOf(slim)).toEqual(stageOf(obj));
      expect(normalise(slim).stages).toEqual(normalise(obj).stages);
    }
  });
});

describe("Function: normalise (why a Job failed)", () => {
  it.each([
    ["upstream/jobs/job-failuretarget-failed-backofflimitexceeded.yaml", P.Failed, "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
    ["jobs/job-deadline-exceeded.yaml", P.TimedOut, "DeadlineExceeded", "Job was active longer than specified deadline"],
  ])("carries %s's condition reason and message on its stage", (path, phase, reason, message) => {
    expect(normalise(servedFixture(path)).stages[0]).toMatchObject({ phase, reason, message });
  });
});
