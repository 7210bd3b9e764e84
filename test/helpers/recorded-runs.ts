/**
 * The recorded runs under test/fixtures (Jobs, Tekton PipelineRuns and
 * TaskRuns, Argo Workflows) as the normalise tests read them, and what
 * normalise makes of each: its phase, times, message and stages.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { PipelinePhase, type NormalisedRun } from "../../shared/pipeline/types";

type Json = Record<string, any>;

/** The recorded run at `test/fixtures/<path>`: YAML, or JSON for a `.json` path. */
export const fixture = (path: string): Json => {
  const text = readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8");
  return path.endsWith(".json") ? JSON.parse(text) : parse(text);
};

/**
 * An object from test/fixtures as an API server would serve it: objects from
 * upstream unit tests may lack a namespace, which the API server always sets.
 */
export const servedFixture = (path: string): Json => {
  const object = fixture(path);
  return { ...object, metadata: { namespace: "default", ...object.metadata } };
};

/** A fixture with its `status` (or `spec`) fields replaced. */
export const variant = (path: string, patch: { status?: Json; spec?: Json }): Json => {
  const obj = structuredClone(fixture(path));
  return { ...obj, spec: { ...obj.spec, ...patch.spec }, status: { ...obj.status, ...patch.status } };
};

/** PipelinePhase, short enough for a table row. */
export const P = PipelinePhase;

export interface FixtureCase {
  fixture: string;
  expected: Pick<NormalisedRun, "phase" | "startedAt" | "finishedAt">;
  message?: string;
  /** `name:phase` of each stage, in order. */
  stages: string[];
}

/** Every recorded run, with what normalise reads from it. */
export const FIXTURES: FixtureCase[] = [
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
