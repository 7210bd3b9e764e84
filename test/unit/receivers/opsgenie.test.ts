import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";
import { alertsUrlOf } from "../../../shared/receivers/opsgenie";
import { aliasOf, createAlert } from "../../../shared/receivers/opsgenie/alert";
import { pipelineInfo } from "../../helpers/fake-chat";

const configError = (options: Record<string, unknown>): ConfigError => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [{ name: "alerts", type: "opsgenie", options }],
  });
  try {
    createReceivers(config);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

const VALID = { apiKey: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:opsgenie-AbCdEf" };

describe("Options: opsgenie", () => {
  it.each([
    { name: "a misspelt option", options: { ...VALID, priorty: "P1" }, path: "priorty", reason: "unknown key" },
    { name: "an API key given literally", options: { apiKey: "eb243592-faa2-4ba2-a551-1afdf565c889" }, path: "apiKey", reason: /must be a secret reference/ },
    { name: "an unknown priority", options: { ...VALID, priority: "high" }, path: "priority", reason: /expected one of "P1"\|"P2"\|"P3"\|"P4"\|"P5"/ },
    { name: "an unknown region", options: { ...VALID, region: "au" }, path: "region", reason: /expected one of "us"\|"eu"/ },
    { name: "both region and apiUrl", options: { ...VALID, region: "eu", apiUrl: "https://og-proxy.example.com" }, path: "apiUrl", reason: "set region or apiUrl, not both" },
    { name: "a tag over 50 characters", options: { ...VALID, tags: ["ok", "x".repeat(51)] }, path: "tags[1]", reason: "at most 50 characters" },
    { name: "20 tags", options: { ...VALID, tags: Array.from({ length: 20 }, (_, i) => `t${i}`) }, path: "tags", reason: /^at most 19 tags/ },
  ])("stops at start on $name, naming receivers[0].options.$path", ({ options, path, reason }) => {
    // Act
    const error = configError(options);

    // Assess
    expect(error.path).toBe(`receivers[0].options.${path}`);
    if (typeof reason === "string") expect(error.reason).toBe(reason);
    else expect(error.reason).toMatch(reason);
  });
});

describe("Function: alertsUrlOf", () => {
  it.each([
    { options: {}, url: "https://api.opsgenie.com/v2/alerts" },
    { options: { region: "eu" as const }, url: "https://api.eu.opsgenie.com/v2/alerts" },
    { options: { apiUrl: "https://og-proxy.example.com/" }, url: "https://og-proxy.example.com/v2/alerts" },
  ])("returns $url for $options", ({ options, url }) => {
    // Assess
    expect(alertsUrlOf(options)).toBe(url);
  });
});

describe("Function: createAlert", () => {
  it("keeps a long run within the message's 130 and the description's 15000 characters", () => {
    // Prepare
    const stages = Array.from({ length: 500 }, (_, i) => ({ name: `stage-${i}-${"x".repeat(60)}`, phase: "failed" as const, message: "m".repeat(200) }));
    const info = pipelineInfo({ phase: "failed", name: `build-${"y".repeat(200)}`, stages });

    // Act
    const alert = createAlert("kube-feedback/prod/ci/build", info, { priority: "P3", tags: [] });

    // Assess
    expect(alert.message).toHaveLength(130);
    expect(alert.message.endsWith("…")).toBe(true);
    expect(alert.description.length).toBeLessThanOrEqual(15_000);
    expect(alert.description).toContain("… and 401 more");
  });

  it("derives an alias safe in a path, one per incident key", () => {
    // Assess
    expect(aliasOf("kube-feedback/prod/ci/build")).toMatch(/^kube-feedback-[0-9a-f]{40}$/);
    expect(aliasOf("kube-feedback/prod/ci/build")).not.toBe(aliasOf("kube-feedback/prod/ci/deploy"));
  });
});
