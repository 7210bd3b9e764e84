import { describe, expect, it } from "vitest";
import { normalise, stageOfTaskRun, tektonPhase } from "../../../shared/pipeline/normalise";
import { fixture, P } from "../../helpers/recorded-runs";

describe("Function: tektonPhase", () => {
  const succeeded = (status: string, reason?: string) => ({
    startTime: "2025-03-12T09:14:02Z",
    conditions: [{ type: "Succeeded", status, reason }],
  });

  it.each([
    { status: succeeded("True", "Succeeded"), phase: P.Succeeded },
    { status: succeeded("True", "Completed"), phase: P.Succeeded },
    { status: succeeded("False", "Failed"), phase: P.Failed },
    { status: succeeded("False", "TaskRunImagePullFailed"), phase: P.Failed },
    { status: succeeded("False", "Cancelled"), phase: P.Cancelled },
    { status: succeeded("False", "StoppedRunFinally"), phase: P.Cancelled },
    { status: succeeded("False", "CancelledRunFinally"), phase: P.Cancelled },
    { status: succeeded("False", "TaskRunCancelled"), phase: P.Cancelled },
    { status: succeeded("False", "PipelineRunTimeout"), phase: P.TimedOut },
    { status: succeeded("False", "TaskRunTimeout"), phase: P.TimedOut },
    { status: succeeded("False", "PipelineValidationFailed"), phase: P.Errored },
    { status: succeeded("False", "TaskRunValidationFailed"), phase: P.Errored },
    { status: succeeded("False", "CouldntGetTask"), phase: P.Errored },
    { status: succeeded("False", "InvalidWorkspaceBindings"), phase: P.Errored },
    { status: succeeded("False", "ParameterMissing"), phase: P.Errored },
    { status: succeeded("False", "PipelineRunCouldntCancel"), phase: P.Errored },
    { status: succeeded("False", "ResourceVerificationFailed"), phase: P.Errored },
    { status: succeeded("False", "InvalidParamValue"), phase: P.Errored },
    { status: succeeded("False", "CouldntGetPipelineResult"), phase: P.Errored },
    { status: succeeded("False", "TaskRunResolutionFailed"), phase: P.Errored },
    { status: succeeded("Unknown", "Started"), phase: P.Running },
    { status: succeeded("Unknown", "Running"), phase: P.Running },
    { status: succeeded("Unknown", "PipelineRunStopping"), phase: P.Running },
    { status: succeeded("Unknown", "CancelledRunningFinally"), phase: P.Running },
    { status: succeeded("Unknown", "Cancelled"), phase: P.Running },
    { status: succeeded("Unknown", "PipelineRunPending"), phase: P.Pending },
    { status: succeeded("Unknown", "Pending"), phase: P.Pending },
    { status: succeeded("Unknown", "ResolvingTaskRef"), phase: P.Pending },
    { status: succeeded("Unknown", "Started"), specStatus: "PipelineRunPending", phase: P.Pending },
    { status: { startTime: "2025-03-12T09:14:02Z" }, phase: P.Running },
    { status: {}, phase: P.Pending },
    { status: {}, specStatus: "PipelineRunPending", phase: P.Pending },
  ])("returns $phase for $status.conditions.0.status $status.conditions.0.reason, spec.status $specStatus", (row) => {
    const { status, specStatus, phase } = row;
    // Prepare: status above

    // Act
    const result = tektonPhase(status, specStatus);

    // Assess
    expect(result).toBe(phase);
  });
});

describe("Function: stageOfTaskRun", () => {
  it("names the stage after the tekton.dev/pipelineTask label", () => {
    // Prepare
    const obj = fixture("tekton/taskrun-child-failed.yaml");
    const run = normalise(obj);

    // Act
    const stage = stageOfTaskRun(run, obj);

    // Assess
    expect(stage).toEqual({
      name: "unit-tests",
      phase: P.Failed,
      startedAt: "2025-03-12T11:03:40Z",
      finishedAt: "2025-03-12T11:06:29Z",
      // The step that failed the task, from its terminated state, rather than the TaskRun's condition message.
      message: 'step "go-test" exited with code 1',
      step: "go-test",
      exitCode: 1,
      reason: "Error",
    });
    const parent = normalise(fixture("tekton/pipelinerun-failed.yaml"));
    expect(parent.stages.map((s) => s.name)).toContain(stage.name);
  });

  it("falls back to the run's name without the label", () => {
    // Prepare
    const obj = fixture("tekton/taskrun-running.yaml");
    const run = normalise(obj);

    // Act
    const stage = stageOfTaskRun(run, null);

    // Assess
    expect(stage).toEqual({
      name: "buildah-manual-x7p2q",
      phase: P.Running,
      startedAt: "2025-03-12T19:30:00Z",
      message: "Not all Steps in the Task have finished executing",
    });
  });
});
