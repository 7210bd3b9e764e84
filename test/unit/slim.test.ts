import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { slimObject } from "../../relay/slim";
import type { KubeObject } from "../../shared/envelope";

const recorded = (file: string, line: number): KubeObject =>
  JSON.parse(readFileSync(new URL(`../../recordings/${file}`, import.meta.url), "utf8").split("\n")[line]!).object;

describe("Function: slimObject", () => {
  it("drops managedFields, last-applied annotations and embedded specs of a PipelineRun", () => {
    // Prepare
    const run = recorded("tekton-pipelinerun.ndjson", 1);

    // Act
    const slim = slimObject(run);

    // Assess
    expect(slim.metadata).not.toHaveProperty("managedFields");
    expect(slim.metadata.annotations).not.toHaveProperty("kubectl.kubernetes.io/last-applied-configuration");
    expect(slim.metadata.annotations).toHaveProperty("commit-status.argoproj.io/sha");
    // The scm receiver's stable status name is the generateName without its suffix.
    expect(slim.metadata).toHaveProperty("generateName", "build-and-test-");
    expect(slim.status).not.toHaveProperty("pipelineSpec");
    expect(slim.status).toHaveProperty("conditions");
    expect(slim.status).toHaveProperty("childReferences");
    expect(slim.spec).not.toHaveProperty("pipelineRef");
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(run).length);
  });

  it("keeps what the TaskRun stage needs: labels, owner, conditions and steps", () => {
    // Prepare
    const taskRun = recorded("tekton-pipelinerun.ndjson", 3);

    // Act
    const slim = slimObject(taskRun);

    // Assess
    expect(slim.metadata.labels).toHaveProperty("tekton.dev/pipelineTask", "clone");
    expect((slim.metadata as { ownerReferences?: unknown[] }).ownerReferences).toHaveLength(1);
    expect(slim.status).toHaveProperty("steps");
    expect(slim.status).not.toHaveProperty("taskSpec");
  });

  it("drops a Job's pod template but keeps its conditions and counters", () => {
    // Prepare
    const job = recorded("job.ndjson", 3);

    // Act
    const slim = slimObject(job);

    // Assess
    expect(slim.spec).toEqual({ backoffLimit: 2, completions: 1 });
    expect(slim.status).toHaveProperty("conditions");
    expect(slim.status).toHaveProperty("succeeded", 1);
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
