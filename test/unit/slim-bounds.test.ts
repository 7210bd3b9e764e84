import { describe, expect, it } from "vitest";
import { SlimLimit, slimObject, type KubeObject } from "../../shared/envelope";

type Json = Record<string, any>;

const MB = 1024 * 1024;
const KIB = 1024;

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

const failed = (message: string) => [{ type: "Succeeded", status: "False", reason: "Failed", message, lastTransitionTime: "2026-01-01T00:01:00Z" }];

/** A step as a failing build leaves it: results JSON in the message, image and container ids. */
const step = (message: string) => ({
  name: "build",
  container: "step-build",
  imageID: "docker.io/library/golang@sha256:00",
  terminated: { exitCode: 2, reason: "Error", message, startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:01:00Z", containerID: "containerd://0" },
});

/** One attempt as Tekton keeps it in retriesStatus: a whole TaskRun status. */
const attempt = (i: number, message: string) => ({
  conditions: failed(`attempt ${i}: ${message}`),
  startTime: "2026-01-01T00:00:00Z",
  completionTime: "2026-01-01T00:01:00Z",
  podName: `build-pod-retry${i}`,
  steps: [step(message)],
  taskSpec: { steps: [{ name: "build", image: "golang", script: message }] },
});

const taskRun = (status: Json, retries = 0): KubeObject => ({
  apiVersion: "tekton.dev/v1",
  kind: "TaskRun",
  metadata: { name: "build", namespace: "ci", uid: "6f1c0a5e-2a4b-4f3e-9d1c-0b7a8e6f5d43" },
  spec: { retries },
  status,
});

describe("Function: slimObject", () => {
  describe("Bounds", () => {
    it("slims a TaskRun with a 1 MB step message and 500 retries to under 64 KiB", () => {
      // Prepare
      const huge = "x".repeat(MB);
      const run = taskRun(
        { conditions: failed(huge), steps: [step(huge)], retriesStatus: Array.from({ length: 500 }, (_, i) => attempt(i, huge)) },
        500,
      );

      // Act
      const slim = slimObject(run) as Json;

      // Assess: the input, over 1 GB as JSON, is never serialised.
      expect(bytes(slim)).toBeLessThan(64 * KIB);
      expect(slim.status.steps[0].terminated.message).toHaveLength(SlimLimit.stepMessageChars);
      expect(slim.status.conditions[0].message).toHaveLength(SlimLimit.messageChars);
    });

    it("keeps the latest retries with their outcome and the earlier ones as placeholders, so the count of attempts survives", () => {
      // Prepare
      const run = taskRun({ retriesStatus: Array.from({ length: 25 }, (_, i) => attempt(i, "exit 2")) }, 30);

      // Act
      const retries = (slimObject(run) as Json).status.retriesStatus as Json[];

      // Assess
      expect(retries).toHaveLength(25);
      expect(retries.slice(0, 25 - SlimLimit.retriesKept)).toEqual(Array(25 - SlimLimit.retriesKept).fill({}));
      expect(retries.slice(-SlimLimit.retriesKept).map((r) => r.conditions[0].message)).toEqual(
        Array.from({ length: SlimLimit.retriesKept }, (_, i) => `attempt ${25 - SlimLimit.retriesKept + i}: exit 2`),
      );
      expect(retries.at(-1)).toEqual({ conditions: failed("attempt 24: exit 2"), startTime: "2026-01-01T00:00:00Z", completionTime: "2026-01-01T00:01:00Z" });
    });

    it("bounds each child a v1beta1 PipelineRun embeds, and a Workflow's and its nodes' messages", () => {
      // Prepare
      const huge = "y".repeat(MB);
      const children = Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`run-t${i}`, { pipelineTaskName: `t${i}`, status: { ...attempt(i, huge), taskResults: [{ name: "r", value: huge }] } }]),
      );
      const pipelineRun: KubeObject = {
        apiVersion: "tekton.dev/v1beta1",
        kind: "PipelineRun",
        metadata: { name: "p", namespace: "ci", uid: "0b1f3c9e-5d7a-4e2b-8c6f-1a9d0e4b7c25" },
        status: { conditions: failed(huge), taskRuns: children },
      };
      const workflow: KubeObject = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: { name: "w", namespace: "ci", uid: "9e2d4c6a-3b1f-4a8e-b7d5-6c0f2a1e8b94" },
        status: { phase: "Failed", message: huge, nodes: { n: { id: "n", type: "Pod", phase: "Failed", message: huge, outputs: { result: huge } } } },
      };

      // Act
      const slimRun = slimObject(pipelineRun) as Json;
      const slimWorkflow = slimObject(workflow) as Json;

      // Assess
      // A child's messages are bounded; how many children fit is shared/envelope/fit.ts's business.
      for (const child of Object.values(slimRun.status.taskRuns as Json)) expect(bytes(child)).toBeLessThan(4 * KIB);
      expect(slimRun.status.taskRuns["run-t3"].status.steps[0].terminated.message).toHaveLength(SlimLimit.stepMessageChars);
      expect(bytes(slimWorkflow)).toBeLessThan(8 * KIB);
      expect(slimWorkflow.status.nodes.n.message).toHaveLength(SlimLimit.messageChars);
    });

    it("keeps a message at the bound whole and cuts a longer one to the bound, marked as cut", () => {
      // Prepare
      const atBound = "a".repeat(SlimLimit.messageChars);
      const over = `${atBound}b`;

      // Act
      const kept = (slimObject(taskRun({ conditions: failed(atBound) })) as Json).status.conditions[0].message;
      const cut = (slimObject(taskRun({ conditions: failed(over) })) as Json).status.conditions[0].message;

      // Assess
      expect(kept).toBe(atBound);
      expect(cut).toBe(`${"a".repeat(SlimLimit.messageChars - 1)}…`);
    });

    it("never splits a surrogate pair when it cuts a message", () => {
      // Prepare: the cut would fall between the two halves of the last emoji.
      const message = "😀".repeat(SlimLimit.stepMessageChars);

      // Act
      const cut: string = (slimObject(taskRun({ steps: [step(message)] })) as Json).status.steps[0].terminated.message;

      // Assess
      expect(cut.length).toBeLessThanOrEqual(SlimLimit.stepMessageChars);
      // A lone surrogate does not survive a UTF-8 round trip: it comes back as U+FFFD.
      expect(Buffer.from(cut, "utf8").toString("utf8")).toBe(cut);
      expect(cut.endsWith("😀…")).toBe(true);
    });
  });
});
