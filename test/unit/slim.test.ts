import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { slimObject, type KubeObject } from "../../shared/envelope";

type Json = Record<string, any>;

const recorded = (file: string, line: number): KubeObject =>
  JSON.parse(readFileSync(new URL(`../../recordings/${file}`, import.meta.url), "utf8").split("\n")[line]!).object;

const fixture = (path: string): KubeObject => parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8"));

const slimmed = (object: KubeObject): { metadata: Json; spec?: Json; status?: Json } => slimObject(object) as never;

describe("Function: slimObject", () => {
  it("drops managedFields, last-applied annotations and embedded specs of a PipelineRun", () => {
    // Prepare
    const run = recorded("tekton-pipelinerun.ndjson", 1);

    // Act
    const slim = slimmed(run);

    // Assess
    expect(slim.metadata).not.toHaveProperty("managedFields");
    expect(slim.metadata.annotations).not.toHaveProperty("kubectl.kubernetes.io/last-applied-configuration");
    expect(slim.metadata.annotations).toHaveProperty("commit-status.argoproj.io/sha");
    // The scm receiver's stable status name is the generateName without its suffix.
    expect(slim.metadata).toHaveProperty("generateName", "build-and-test-");
    expect(slim.status).toHaveProperty("conditions");
    expect(slim.status).toHaveProperty("childReferences");
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(run).length);
  });

  it("keeps of a pipelineSpec only its task and finally names, and of a pipelineRef only its name", () => {
    // Prepare
    const run = fixture("upstream/tekton/pipelinerun-v1beta1-finally-taskruns-runs-succeeded.yaml");

    // Act
    const slim = slimmed(run);

    // Assess
    expect(slim.status!.pipelineSpec).toEqual({ tasks: [{ name: "c-task" }], finally: [{ name: "a-task" }, { name: "b-task" }] });
    expect(slim.spec).toEqual({ pipelineRef: { name: "test-pipeline" } });
    expect(slim.status).not.toHaveProperty("pipelineResults");
  });

  it("keeps each child of a v1beta1 taskRuns and runs map with its pipeline task and outcome only", () => {
    // Prepare
    const run = fixture("upstream/tekton/pipelinerun-v1beta1-finally-taskruns-runs-succeeded.yaml");
    const succeeded = { conditions: [{ status: "True", type: "Succeeded" }] };

    // Act
    const slim = slimmed(run);

    // Assess: results, which can be large, are gone.
    expect(slim.status!.taskRuns).toEqual({
      "test-pipeline-run-finally-results-task-run-a": { pipelineTaskName: "a-task", status: succeeded },
      "test-pipeline-run-finally-results-task-run-c": { pipelineTaskName: "c-task", status: succeeded },
    });
    expect(slim.status!.runs).toEqual({ "test-pipeline-run-finally-results-task-run-b": { pipelineTaskName: "b-task", status: succeeded } });
  });

  it("keeps skipped tasks with their name and reason, without their when-expressions", () => {
    // Prepare
    const run = fixture("upstream/tekton/pipelinerun-v1-failed-finally-skippedtasks.yaml");

    // Act
    const slim = slimmed(run);

    // Assess
    const skipped = slim.status!.skippedTasks as Json[];
    expect(skipped.slice(0, 2)).toEqual([
      { name: "dagtask3", reason: "PipelineRun was stopping" },
      { name: "dagtask4", reason: "PipelineRun was stopping" },
    ]);
    expect(skipped).toHaveLength((run.status as Json).skippedTasks.length);
    for (const task of skipped) expect(Object.keys(task).sort()).toEqual(["name", "reason"]);
  });

  it("keeps what the TaskRun stage needs: labels, owner, conditions and steps", () => {
    // Prepare
    const taskRun = recorded("tekton-pipelinerun.ndjson", 3);

    // Act
    const slim = slimmed(taskRun);

    // Assess
    expect(slim.metadata.labels).toHaveProperty("tekton.dev/pipelineTask", "clone");
    expect(slim.metadata.ownerReferences).toHaveLength(1);
    expect(slim.status).toHaveProperty("steps");
    expect(slim.status).not.toHaveProperty("taskSpec");
  });

  it("keeps a TaskRun's retries, each attempt's outcome and each step's terminated state", () => {
    // Prepare
    const taskRun = fixture("upstream/tekton/taskrun-v1-tobe-retried-step-terminated.yaml") as Json as KubeObject;
    const message = 'the step "unamed-0" in TaskRun "test-taskrun-run-retry-pod-failure" failed to pull the image "". The pod errored with the message: "."';
    const terminated = { exitCode: 1, finishedAt: "2022-01-01T00:00:00Z", reason: "TaskRunImagePullFailed" };

    // Act
    const slim = slimmed(taskRun);

    // Assess: an attempt's pod and steps are gone, its outcome is kept.
    expect(slim.spec).toMatchObject({ retries: 1 });
    expect(slim.status!.steps).toEqual([{ container: "step-unamed-0", name: "unamed-0", terminated }]);
    expect(slim.status!.retriesStatus).toEqual([
      {
        conditions: [{ reason: "TaskRunImagePullFailed", status: "False", type: "Succeeded", message }],
        startTime: "2021-12-31T23:59:59Z",
        completionTime: "2022-01-01T00:00:00Z",
      },
    ]);
  });

  it("drops a Job's pod template but keeps its conditions and counters", () => {
    // Prepare
    const job = recorded("job.ndjson", 3);

    // Act
    const slim = slimmed(job);

    // Assess
    expect(slim.spec).toEqual({ backoffLimit: 2, completions: 1 });
    expect(slim.status).toHaveProperty("conditions");
    expect(slim.status).toHaveProperty("succeeded", 1);
  });

  it("keeps the CronJob that owns a Job", () => {
    // Prepare
    const job = fixture("jobs/job-complete-1.31.yaml");

    // Act
    const slim = slimmed(job);

    // Assess
    expect(slim.metadata.ownerReferences).toEqual([
      { apiVersion: "batch/v1", kind: "CronJob", name: "etl-nightly", uid: "4d1c9a7e-6b3f-4e28-9a51-0c7d2e8f6b13", controller: true },
    ]);
  });

  it("keeps a Workflow's template ref and where each node sits, without its inputs, outputs and children", () => {
    // Prepare
    const workflow = fixture("upstream/argo/workflow-error-lifecycle-hook.yaml");
    const withRef = fixture("upstream/argo/workflow-succeeded-workflowtemplateref.yaml");

    // Act
    const slim = slimmed(workflow);

    // Assess
    expect(slimmed(withRef).spec).toEqual({ workflowTemplateRef: { name: "workflow-template-submittable-2.9" } });
    const step = slim.status!.nodes["lifecycle-hook-bgsf6-3057272397"];
    expect(step).toMatchObject({ boundaryID: "lifecycle-hook-bgsf6", displayName: "step1", type: "Pod" });
    expect(Object.keys(step).sort()).toEqual(
      expect.arrayContaining(["boundaryID", "displayName", "finishedAt", "id", "phase", "startedAt", "type"]),
    );
    for (const node of Object.values(slim.status!.nodes as Record<string, Json>)) {
      expect(node).not.toHaveProperty("children");
      expect(node).not.toHaveProperty("outputs");
      expect(node).not.toHaveProperty("hostNodeName");
    }
  });

  it("does not modify its input", () => {
    // Prepare
    const run = recorded("tekton-pipelinerun.ndjson", 1);
    const before = JSON.stringify(run);

    // Act
    slimObject(run);

    // Assess
    expect(JSON.stringify(run)).toBe(before);
  });
});
