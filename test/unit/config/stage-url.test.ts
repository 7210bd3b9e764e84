import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { toPipelineInfo, withStageLinks } from "../../../shared/pipeline/info";
import { PipelinePhase as P, type NormalisedRun } from "../../../shared/pipeline/types";
import { rejectionOf } from "./rejection";

const base = { cluster: "prod", watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }] };

const run: NormalisedRun = {
  uid: "1f0c",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-x7k2p",
  namespace: "ci",
  phase: P.Failed,
  stages: [{ name: "unit tests", phase: P.Failed }, { name: "lint", phase: P.Succeeded }],
  labels: {},
  annotations: {},
};

describe("Function: parseConfig (processing.stageUrl)", () => {
  it("takes a template with the dashboard's variables and {{stage}}", () => {
    // Act
    const config = parseConfig({ ...base, processing: { stageUrl: "https://ci.example.com/{{cluster}}/{{kind}}/{{namespace}}/{{name}}/{{uid}}?task={{ stage }}" } });

    // Assess
    expect(config.processing.stageUrl).toContain("{{ stage }}");
  });

  it("throws a ConfigError naming processing.stageUrl and the unknown variable", () => {
    // Act
    const error = rejectionOf(() => parseConfig({ ...base, processing: { stageUrl: "https://ci.example.com/{{name}}/{{task}}" } }));

    // Assess
    expect(error.path).toBe("processing.stageUrl");
    expect(error.reason).toBe("unknown variable {{task}} (known: {{cluster}}, {{namespace}}, {{name}}, {{kind}}, {{uid}}, {{stage}})");
  });
});

describe("Function: withStageLinks", () => {
  it("renders the template per stage as dashboardUrl is rendered, each value URL-encoded", () => {
    // Prepare
    const info = toPipelineInfo("prod", run, { dashboardUrl: "https://ci.example.com/{{namespace}}/{{name}}" });

    // Act
    const linked = withStageLinks(info, "https://ci.example.com/{{namespace}}/{{kind}}s/{{name}}?task={{stage}}");

    // Assess
    expect(linked.dashboardUrl).toBe("https://ci.example.com/ci/build-x7k2p");
    expect(linked.stages.map((s) => s.url)).toEqual([
      "https://ci.example.com/ci/pipelineruns/build-x7k2p?task=unit%20tests",
      "https://ci.example.com/ci/pipelineruns/build-x7k2p?task=lint",
    ]);
    expect(info.stages.every((s) => s.url === undefined)).toBe(true);
  });

  it("leaves the run as it is without a template", () => {
    // Prepare
    const info = toPipelineInfo("prod", run);

    // Act / Assess
    expect(withStageLinks(info, undefined)).toBe(info);
  });
});
