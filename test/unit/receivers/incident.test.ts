import { describe, expect, it } from "vitest";
import type { PipelinePhase } from "../../../shared/pipeline/types";
import { incidentActionOf, incidentKey, incidentSummary } from "../../../shared/receivers/incident";
import { pipelineInfo } from "../../helpers/fake-chat";

describe("Function: incidentActionOf", () => {
  it.each<[PipelinePhase, string | undefined]>([
    ["failed", "trigger"],
    ["errored", "trigger"],
    ["timed_out", "trigger"],
    ["succeeded", "resolve"],
    ["cancelled", undefined],
    ["running", undefined],
    ["pending", undefined],
  ])("returns %s → %s", (phase, action) => {
    // Assess
    expect(incidentActionOf(phase)).toBe(action);
  });
});

describe("Function: incidentKey", () => {
  it("returns one key for every rerun of a pipeline, from the cluster and its status name", () => {
    // Prepare
    const first = pipelineInfo({ name: "build-7k2x9", uid: "a" });
    const rerun = pipelineInfo({ name: "build-q8w2z", uid: "b" });

    // Assess
    expect(incidentKey(first)).toBe("kube-feedback/prod/ci/build");
    expect(incidentKey(rerun)).toBe(incidentKey(first));
  });

  it("returns another key on another cluster, in another namespace or for another pipeline", () => {
    // Prepare
    const base = incidentKey(pipelineInfo());

    // Assess
    expect(incidentKey(pipelineInfo({ cluster: "staging" }))).not.toBe(base);
    expect(incidentKey(pipelineInfo({ namespace: "ops" }))).not.toBe(base);
    expect(incidentKey(pipelineInfo({ labels: { "tekton.dev/pipeline": "deploy" } }))).not.toBe(base);
  });

  it("takes the status name annotation as it stands", () => {
    // Assess
    expect(incidentKey(pipelineInfo({ annotations: { "commit-status.argoproj.io/status-name": "ci/unit" } }))).toBe("kube-feedback/prod/ci/unit");
  });

  it("keeps a long name within PagerDuty's 255 characters and tells two long names apart", () => {
    // Prepare
    const long = (suffix: string) => pipelineInfo({ annotations: { "commit-status.argoproj.io/status-name": `${"x".repeat(300)}${suffix}` } });

    // Act
    const [a, b] = [incidentKey(long("a")), incidentKey(long("b"))];

    // Assess
    expect(a).toHaveLength(255);
    expect(a.startsWith("kube-feedback/prod/xxx")).toBe(true);
    expect(a).not.toBe(b);
  });
});

describe("Function: incidentSummary", () => {
  it("says where and why a run failed, without emoji, cut to the limit", () => {
    // Prepare
    const info = pipelineInfo({ phase: "failed", stages: [{ name: "test", phase: "failed", message: "exit\n code 1" }] });

    // Act
    const summary = incidentSummary(info, 1024);
    const short = incidentSummary(info, 30);

    // Assess
    expect(summary).toBe("PipelineRun ci/build-7k2x9 failed in 2m 05s at test: exit code 1");
    expect(short).toBe("PipelineRun ci/build-7k2x9 fa…");
  });
});
