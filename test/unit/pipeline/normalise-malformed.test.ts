import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidObjectError, PipelineError, UnsupportedKindError } from "../../../shared/pipeline/errors";
import { normalise } from "../../../shared/pipeline/normalise";
import { PipelinePhase } from "../../../shared/pipeline/types";

describe("Function: normalise", () => {
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
