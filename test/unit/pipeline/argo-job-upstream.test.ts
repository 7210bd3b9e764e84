import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { normalise } from "../../../shared/pipeline/normalise";
import { PipelinePhase as P } from "../../../shared/pipeline/types";

/** An object from test/fixtures/upstream (its source is in the file's header). */
const upstream = (path: string): Record<string, any> => {
  const object = parse(readFileSync(new URL(`../../fixtures/upstream/${path}`, import.meta.url), "utf8"));
  return { ...object, metadata: { namespace: "default", ...object.metadata } };
};

describe("Function: normalise (Argo Workflows and Jobs from upstream)", () => {
  it.each([
    ["argo/workflow-succeeded.yaml", P.Succeeded, []],
    ["argo/workflow-succeeded-workflowtemplateref.yaml", P.Succeeded, ["workflow-template-hello-world-k4d26:succeeded"]],
    ["argo/workflow-failed-node-messages.yaml", P.Failed, ["pass:succeeded", "fail:failed"]],
    ["argo/workflow-error-lifecycle-hook.yaml", P.Errored, ["step1:errored"]],
    // spec.shutdown asks the controller to stop; the Workflow runs until its phase says otherwise.
    ["argo/workflow-running-shutdown-stop.yaml", P.Running, ["main-task:succeeded"]],
    ["argo/workflow-running-shutdown-terminate.yaml", P.Running, ["using-container-set-template:pending"]],
    ["jobs/job-successcriteriamet-complete.yaml", P.Succeeded, ["worker1:succeeded"]],
    ["jobs/job-failuretarget-failed-backofflimitexceeded.yaml", P.Failed, ["worker2:failed"]],
  ])("reads %s as %s with its stages", (path, phase, stages) => {
    const run = normalise(upstream(path));
    expect(run.phase).toBe(phase);
    expect(run.stages.map((s) => `${s.name}:${s.phase}`)).toEqual(stages);
  });

  it("carries the failing node's and the failed Job's reason as the run's message", () => {
    expect(normalise(upstream("argo/workflow-failed-node-messages.yaml")).message).toContain("failed");
    expect(normalise(upstream("jobs/job-failuretarget-failed-backofflimitexceeded.yaml")).message).toBe("Job has reached the specified backoff limit");
  });
});
