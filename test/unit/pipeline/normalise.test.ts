import { describe, expect, it } from "vitest";
import { isPipelineKind, normalise } from "../../../shared/pipeline/normalise";
import { FIXTURES, fixture, P, variant } from "../../helpers/recorded-runs";

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
