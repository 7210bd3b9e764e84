import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { InvalidObjectError, PipelineError, UnsupportedKindError } from "../../../shared/pipeline/errors";
import { isPipelineKind, normalise, stageOfTaskRun, tektonPhase } from "../../../shared/pipeline/normalise";
import { PipelinePhase, type NormalisedRun } from "../../../shared/pipeline/types";

type Json = Record<string, any>;

const fixture = (path: string): Json => {
  const text = readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), "utf8");
  return path.endsWith(".json") ? JSON.parse(text) : parse(text);
};

/** A fixture with its `status` (or `spec`) fields replaced. */
const variant = (path: string, patch: { status?: Json; spec?: Json }): Json => {
  const obj = structuredClone(fixture(path));
  return { ...obj, spec: { ...obj.spec, ...patch.spec }, status: { ...obj.status, ...patch.status } };
};

const P = PipelinePhase;

interface FixtureCase {
  fixture: string;
  expected: Pick<NormalisedRun, "phase" | "startedAt" | "finishedAt">;
  message?: string;
  /** `name:phase` of each stage, in order. */
  stages: string[];
}

const FIXTURES: FixtureCase[] = [
  // batch/v1 Job
  {
    fixture: "jobs/job-complete.yaml",
    expected: { phase: P.Succeeded, startedAt: "2025-03-12T02:00:00Z", finishedAt: "2025-03-12T02:04:37Z" },
    stages: ["etl-nightly-28990080:succeeded"],
  },
  {
    fixture: "jobs/job-complete-1.31.yaml",
    expected: { phase: P.Succeeded, startedAt: "2025-03-13T02:00:00Z", finishedAt: "2025-03-13T02:05:12Z" },
    message: "Reached expected number of succeeded pods",
    stages: ["etl-nightly-28991520:succeeded"],
  },
  {
    fixture: "jobs/job-failed-retrying.yaml",
    expected: { phase: P.Running, startedAt: "2025-03-14T02:00:00Z" },
    message: "2 pods failed, retrying",
    stages: ["etl-nightly-28993920:running"],
  },
  {
    fixture: "jobs/job-failed-backoff.yaml",
    expected: { phase: P.Failed, startedAt: "2025-03-15T02:00:00Z", finishedAt: "2025-03-15T02:06:41Z" },
    message: "Job has reached the specified backoff limit",
    stages: ["etl-nightly-28995360:failed"],
  },
  {
    fixture: "jobs/job-deadline-exceeded.yaml",
    expected: { phase: P.TimedOut, startedAt: "2025-03-16T02:00:00Z", finishedAt: "2025-03-16T02:10:00Z" },
    message: "Job was active longer than specified deadline",
    stages: ["etl-nightly-28996800:timed_out"],
  },
  {
    fixture: "jobs/job-failed-1.31.yaml",
    expected: { phase: P.Failed, startedAt: "2025-03-17T02:00:00Z", finishedAt: "2025-03-17T02:07:05Z" },
    message: "Job has reached the specified backoff limit",
    stages: ["etl-nightly-28998240:failed"],
  },
  {
    fixture: "jobs/job-failure-target.yaml",
    expected: { phase: P.TimedOut, startedAt: "2025-03-18T02:00:00Z", finishedAt: "2025-03-18T02:10:00Z" },
    message: "Job was active longer than specified deadline",
    stages: ["etl-nightly-28999680:timed_out"],
  },
  {
    fixture: "jobs/job-suspended.yaml",
    expected: { phase: P.Pending },
    message: "Job suspended",
    stages: ["etl-backfill:pending"],
  },
  // Tekton PipelineRun and TaskRun
  {
    fixture: "tekton/pipelinerun-succeeded.yaml",
    expected: { phase: P.Succeeded, startedAt: "2025-03-12T09:14:02Z", finishedAt: "2025-03-12T09:19:40Z" },
    message: "Tasks Completed: 3 (Failed: 0, Cancelled 0), Skipped: 0",
    stages: ["fetch-repository:pending", "unit-tests:pending", "build-image:pending"],
  },
  {
    fixture: "tekton/pipelinerun-failed.yaml",
    expected: { phase: P.Failed, startedAt: "2025-03-12T11:02:17Z", finishedAt: "2025-03-12T11:06:51Z" },
    message: "Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 1",
    stages: ["fetch-repository:pending", "unit-tests:pending", "report:pending", "build-image:skipped"],
  },
  {
    fixture: "tekton/pipelinerun-cancelled.yaml",
    expected: { phase: P.Cancelled, startedAt: "2025-03-12T13:40:00Z", finishedAt: "2025-03-12T13:43:14Z" },
    message: 'PipelineRun "release-v2.4.0" was cancelled',
    stages: ["fetch-repository:pending", "build:pending"],
  },
  {
    fixture: "tekton/pipelinerun-timeout.yaml",
    expected: { phase: P.TimedOut, startedAt: "2025-03-12T15:00:00Z", finishedAt: "2025-03-12T15:10:00Z" },
    message: 'PipelineRun "integration-tests-run-42" failed to finish within "10m0s"',
    stages: ["e2e:pending"],
  },
  {
    fixture: "tekton/pipelinerun-pending.yaml",
    expected: { phase: P.Pending },
    message: 'PipelineRun "nightly-20250312" is pending',
    stages: [],
  },
  {
    fixture: "tekton/pipelinerun-couldnt-get-pipeline.yaml",
    expected: { phase: P.Errored, startedAt: "2025-03-12T17:05:44Z", finishedAt: "2025-03-12T17:05:44Z" },
    message:
      'Error retrieving pipeline for pipelinerun ci-shop/build-and-push-run-8: error when listing pipelines for pipelineRun build-and-push-run-8: pipelines.tekton.dev "build-and-push" not found',
    stages: [],
  },
  {
    fixture: "tekton/pipelinerun-running-v1beta1.yaml",
    expected: { phase: P.Running, startedAt: "2025-03-12T18:00:00Z" },
    message: "Tasks Completed: 1 (Failed: 0, Cancelled 0), Incomplete: 1, Skipped: 0",
    stages: ["fetch:succeeded", "render:running"],
  },
  {
    fixture: "tekton/taskrun-child-failed.yaml",
    expected: { phase: P.Failed, startedAt: "2025-03-12T11:03:40Z", finishedAt: "2025-03-12T11:06:29Z" },
    message: '"step-go-test" exited with code 1',
    stages: ["download-modules:succeeded", "go-test:failed", "coverage-report:cancelled"],
  },
  {
    fixture: "tekton/taskrun-running.yaml",
    expected: { phase: P.Running, startedAt: "2025-03-12T19:30:00Z" },
    message: "Not all Steps in the Task have finished executing",
    stages: ["build-and-push:succeeded", "write-digest:running", "sign:pending"],
  },
  // Argo Workflow
  {
    fixture: "argo/workflow-succeeded.json",
    expected: { phase: P.Succeeded, startedAt: "2025-03-12T20:00:00Z", finishedAt: "2025-03-12T20:07:31Z" },
    stages: [
      "checkout:succeeded",
      "lint:succeeded",
      "test(0):failed",
      "test(1):succeeded",
      "ci-build-zq8vd.onExit:succeeded",
    ],
  },
];

describe("Function: normalise", () => {
  it.each(FIXTURES)("reads $fixture as $expected.phase", ({ fixture: path, expected, message, stages }) => {
    // Prepare
    const obj = fixture(path);

    // Act
    const run = normalise(obj);

    // Assess
    const { phase, startedAt, finishedAt } = run;
    expect({ phase, startedAt, finishedAt }).toEqual(expected);
    expect(run.message).toBe(message);
    expect(run.stages.map((stage) => `${stage.name}:${stage.phase}`)).toEqual(stages);
  });

  it.each(FIXTURES)("copies identity, labels and annotations of $fixture", ({ fixture: path }) => {
    // Prepare
    const obj = fixture(path);

    // Act
    const run = normalise(obj);

    // Assess
    expect(run).toMatchObject({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      labels: obj.metadata.labels ?? {},
      annotations: obj.metadata.annotations ?? {},
    });
    expect(JSON.parse(JSON.stringify(run))).toEqual(run);
  });

  it.each([
    {
      fixture: "tekton/taskrun-child-failed.yaml",
      parent: {
        kind: "PipelineRun",
        name: "payments-on-pull-request-q9h4t",
        uid: "2e4c7a10-8f3b-4d62-9b1e-6a0d3c5f7e92",
      },
    },
    { fixture: "tekton/taskrun-running.yaml", parent: undefined },
    { fixture: "tekton/pipelinerun-failed.yaml", parent: undefined },
  ])("sets parent $parent.name for $fixture", ({ fixture: path, parent }) => {
    // Prepare
    const obj = fixture(path);

    // Act
    const run = normalise(obj);

    // Assess
    expect(run.parent).toEqual(parent);
  });

  const JOB_FIXTURE = "jobs/job-complete.yaml";
  const WORKFLOW = "argo/workflow-succeeded.json";

  it.each([
    {
      name: "a Job with an empty status",
      obj: variant(JOB_FIXTURE, { status: { conditions: [], completionTime: null, startTime: null, succeeded: 0 } }),
      phase: P.Pending,
    },
    {
      name: "a Job with active pods and no startTime",
      obj: variant("jobs/job-suspended.yaml", { status: { conditions: [], active: 1 } }),
      phase: P.Running,
    },
    {
      name: "a Job whose Complete condition is False",
      obj: variant(JOB_FIXTURE, { status: { conditions: [{ type: "Complete", status: "False" }] } }),
      phase: P.Running,
    },
    {
      name: "a Job with a string status",
      obj: { ...fixture(JOB_FIXTURE), status: "Complete" },
      phase: P.Pending,
    },
    {
      name: "a PipelineRun with no status",
      obj: { ...fixture("tekton/pipelinerun-succeeded.yaml"), status: undefined },
      phase: P.Pending,
    },
    {
      name: "a TaskRun with conditions as an object",
      obj: variant("tekton/taskrun-running.yaml", { status: { conditions: { type: "Succeeded" } } }),
      phase: P.Running,
    },
    {
      name: "a Workflow in Error",
      obj: variant(WORKFLOW, { status: { phase: "Error", message: "invalid spec: unknown template 'build'" } }),
      phase: P.Errored,
    },
    {
      name: "a Workflow failed on its deadline",
      obj: variant(WORKFLOW, { status: { phase: "Failed", message: "Step exceeded its deadline" } }),
      phase: P.TimedOut,
    },
    {
      name: "a Workflow terminated by argo terminate",
      obj: variant(WORKFLOW, {
        spec: { shutdown: "Terminate" },
        status: { phase: "Failed", message: "Stopped with strategy 'Terminate'" },
      }),
      phase: P.Cancelled,
    },
    {
      name: "a Workflow that failed",
      obj: variant(WORKFLOW, { status: { phase: "Failed", message: "child 'ci-build-zq8vd-1157391872' failed" } }),
      phase: P.Failed,
    },
    {
      name: "a Workflow running",
      obj: variant(WORKFLOW, { status: { phase: "Running", finishedAt: null } }),
      phase: P.Running,
    },
    {
      name: "a Workflow not yet picked up",
      obj: { ...fixture(WORKFLOW), status: {} },
      phase: P.Pending,
    },
    {
      name: "a Workflow with nodes as a list",
      obj: variant(WORKFLOW, { status: { nodes: [1, 2] } }),
      phase: P.Succeeded,
    },
  ])("reads $name as $phase", ({ obj, phase }) => {
    // Prepare: obj above

    // Act
    const run = normalise(obj);

    // Assess
    expect(run.phase).toBe(phase);
    if (phase === P.Pending || phase === P.Running) expect(run.finishedAt).toBeUndefined();
  });

  it("defaults labels and annotations to {} and drops non-string values", () => {
    // Prepare
    const obj = fixture("jobs/job-complete.yaml");
    obj.metadata.labels = { team: "data", replicas: 3, nested: { a: "b" } };
    delete obj.metadata.annotations;

    // Act
    const run = normalise(obj);

    // Assess
    expect(run.labels).toEqual({ team: "data" });
    expect(run.annotations).toEqual({});
  });

  const JOB = { apiVersion: "batch/v1", kind: "Job" };
  const META = { name: "etl", namespace: "data", uid: "b0c4e2a1-7d3f-4c5e-9a8b-1f2e3d4c5b6a" };

  it.each([
    { name: "null", input: null, path: "(root)" },
    { name: "an array", input: [JOB], path: "(root)" },
    { name: "a string", input: "Job", path: "(root)" },
    { name: "an object without apiVersion", input: { kind: "Job", metadata: META }, path: "apiVersion" },
    { name: "a numeric apiVersion", input: { apiVersion: 1, kind: "Job", metadata: META }, path: "apiVersion" },
    { name: "an object without kind", input: { apiVersion: "batch/v1", metadata: META }, path: "kind" },
    { name: "a Job without metadata", input: { ...JOB }, path: "metadata" },
    { name: "a Job with metadata as a list", input: { ...JOB, metadata: [META] }, path: "metadata" },
    { name: "a Job without name", input: { ...JOB, metadata: { ...META, name: undefined } }, path: "metadata.name" },
    { name: "an empty namespace", input: { ...JOB, metadata: { ...META, namespace: "" } }, path: "metadata.namespace" },
    { name: "a Job with a numeric uid", input: { ...JOB, metadata: { ...META, uid: 42 } }, path: "metadata.uid" },
    { name: "a Job with a null uid", input: { ...JOB, metadata: { ...META, uid: null } }, path: "metadata.uid" },
  ])("throws InvalidObjectError naming $path for $name", ({ input, path }) => {
    // Prepare
    let error: unknown;

    // Act
    try {
      normalise(input);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(InvalidObjectError);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as InvalidObjectError).path).toBe(path);
    expect((error as Error).message).toMatch(new RegExp(`^${path.replace(/[.()]/g, "\\$&")}: `));
    expect((error as Error).name).toBe("InvalidObjectError");
  });

  it("says `metadata.uid: is required` for a missing uid", () => {
    // Prepare
    const input = { ...JOB, metadata: { name: "etl", namespace: "data" } };

    // Act
    const act = () => normalise(input);

    // Assess
    expect(act).toThrowError(new InvalidObjectError("metadata.uid", "is required"));
    expect(act).toThrowError("metadata.uid: is required");
  });

  it.each([
    { apiVersion: "v1", kind: "Pod" },
    { apiVersion: "apps/v1", kind: "Deployment" },
    { apiVersion: "batch/v1", kind: "CronJob" },
    { apiVersion: "tekton.dev/v1alpha1", kind: "PipelineRun" },
    { apiVersion: "tekton.dev/v1beta1", kind: "CustomRun" },
    { apiVersion: "argoproj.io/v1alpha1", kind: "CronWorkflow" },
    { apiVersion: "example.com/v1", kind: "constructor" },
  ])("throws UnsupportedKindError for $kind ($apiVersion), even without metadata", ({ apiVersion, kind }) => {
    // Prepare
    const input = { apiVersion, kind };

    // Act
    const act = () => normalise(input);

    // Assess
    expect(act).toThrowError(UnsupportedKindError);
    expect(act).toThrowError(expect.objectContaining({ apiVersion, kind, name: "UnsupportedKindError" }));
  });

  it("throws only PipelineErrors on arbitrary input", () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        try {
          normalise(input);
        } catch (error) {
          expect(error).toBeInstanceOf(PipelineError);
        }
      }),
    );
  });

  const CONDITION_TYPES = ["Succeeded", "Complete", "SuccessCriteriaMet", "Failed", "FailureTarget", "Suspended"];
  const STEP_KEYS = ["name", "terminated", "running", "waiting", "terminationReason"];
  const NODE_KEYS = ["type", "phase", "displayName", "startedAt", "finishedAt"];
  const statusArbitrary = fc.record(
    {
      phase: fc.oneof(fc.constantFrom("Pending", "Running", "Succeeded", "Failed", "Error"), fc.anything()),
      message: fc.oneof(fc.constant("Step exceeded its deadline"), fc.anything()),
      startTime: fc.oneof(fc.constant("2025-03-12T09:14:02Z"), fc.anything()),
      conditions: fc.oneof(
        fc.array(
          fc.record(
            {
              type: fc.oneof(fc.constantFrom(...CONDITION_TYPES), fc.anything()),
              status: fc.oneof(fc.constantFrom("True", "False", "Unknown"), fc.anything()),
              reason: fc.oneof(fc.constantFrom("DeadlineExceeded", "Cancelled", "CouldntGetTask"), fc.anything()),
              lastTransitionTime: fc.anything(),
            },
            { requiredKeys: [] },
          ),
        ),
        fc.anything(),
      ),
      steps: fc.oneof(fc.array(fc.dictionary(fc.constantFrom(...STEP_KEYS), fc.anything())), fc.anything()),
      nodes: fc.oneof(
        fc.dictionary(fc.string(), fc.dictionary(fc.constantFrom(...NODE_KEYS), fc.anything())),
        fc.anything(),
      ),
      childReferences: fc.anything(),
      taskRuns: fc.anything(),
      active: fc.anything(),
    },
    { requiredKeys: [] },
  );

  it.each([
    { apiVersion: "batch/v1", kind: "Job" },
    { apiVersion: "tekton.dev/v1", kind: "PipelineRun" },
    { apiVersion: "tekton.dev/v1beta1", kind: "TaskRun" },
    { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow" },
  ])("never throws for a well-identified $kind with an arbitrary status", ({ apiVersion, kind }) => {
    fc.assert(
      fc.property(statusArbitrary, fc.anything(), fc.anything(), (status, spec, labels) => {
        const run = normalise({ apiVersion, kind, metadata: { ...META, labels }, spec, status });
        expect(Object.values(PipelinePhase)).toContain(run.phase);
        expect(Array.isArray(run.stages)).toBe(true);
      }),
    );
  });
});

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

describe("Function: isPipelineKind", () => {
  it.each([
    { apiVersion: "batch/v1", kind: "Job", expected: true },
    { apiVersion: "tekton.dev/v1", kind: "PipelineRun", expected: true },
    { apiVersion: "tekton.dev/v1beta1", kind: "PipelineRun", expected: true },
    { apiVersion: "tekton.dev/v1", kind: "TaskRun", expected: true },
    { apiVersion: "tekton.dev/v1beta1", kind: "TaskRun", expected: true },
    { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", expected: true },
    { apiVersion: "v1", kind: "Pod", expected: false },
    { apiVersion: "batch/v1", kind: "job", expected: false },
    { apiVersion: "tekton.dev/v1alpha1", kind: "PipelineRun", expected: false },
    { apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowTemplate", expected: false },
    { apiVersion: "", kind: "", expected: false },
  ])("returns $expected for $kind ($apiVersion)", ({ apiVersion, kind, expected }) => {
    // Prepare: arguments above

    // Act
    const result = isPipelineKind(apiVersion, kind);

    // Assess
    expect(result).toBe(expected);
  });
});

describe("Function: normalise (prototype keys)", () => {
  it("returns running, not an Object.prototype member, for a Workflow phase named toString", () => {
    // Act
    const run = normalise({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: { name: "wf", namespace: "ci", uid: "u" },
      status: { phase: "toString", startedAt: "2026-11-20T10:00:00Z" },
    });

    // Assess
    expect(run.phase).toBe("running");
  });
});

describe("Function: normalise (generateName)", () => {
  it("carries metadata.generateName so receivers can name reruns alike", () => {
    // Act
    const run = normalise({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "nightly-x7k2p", generateName: "nightly-", namespace: "ci", uid: "u" },
    });

    // Assess
    expect(run.generateName).toBe("nightly-");
  });
});
