import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";
import { enqueueUrlOf } from "../../../shared/receivers/pagerduty";

const configError = (options: Record<string, unknown>): ConfigError => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [
      { name: "chat", type: "console", options: {} },
      { name: "pager", type: "pagerduty", options },
    ],
  });
  try {
    createReceivers(config);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

const VALID = { routingKey: "ssm:/kube-feedback/pagerduty-routing-key" };

describe("Options: pagerduty", () => {
  it.each([
    { name: "a misspelt option", options: { ...VALID, severty: "critical" }, path: "severty", reason: "unknown key" },
    { name: "a misspelt routing key", options: { routing_key: "env:PD_KEY" }, path: "routing_key", reason: "unknown key" },
    { name: "a routing key given literally", options: { routingKey: "e93facc04764012d7bfb002500d5d1a6" }, path: "routingKey", reason: /must be a secret reference/ },
    { name: "an unknown severity", options: { ...VALID, severity: "high" }, path: "severity", reason: /expected one of "critical"\|"error"\|"warning"\|"info"/ },
    { name: "an unknown region", options: { ...VALID, region: "ap" }, path: "region", reason: /expected one of "us"\|"eu"/ },
    { name: "both region and apiUrl", options: { ...VALID, region: "eu", apiUrl: "https://proxy.example.com" }, path: "apiUrl", reason: "set region or apiUrl, not both" },
    { name: "an apiUrl that is not http(s)", options: { ...VALID, apiUrl: "events.pagerduty.com" }, path: "apiUrl", reason: "must be an http(s) URL" },
    { name: "an event that does not exist", options: { ...VALID, events: ["failed"] }, path: "events[0]", reason: /expected one of "created"/ },
  ])("stops at start on $name, naming receivers[1].options.$path", ({ options, path, reason }) => {
    // Act
    const error = configError(options);

    // Assess
    expect(error.path).toBe(`receivers[1].options.${path}`);
    if (typeof reason === "string") expect(error.reason).toBe(reason);
    else expect(error.reason).toMatch(reason);
  });
});

describe("Function: enqueueUrlOf", () => {
  it.each([
    { options: {}, url: "https://events.pagerduty.com/v2/enqueue" },
    { options: { region: "us" as const }, url: "https://events.pagerduty.com/v2/enqueue" },
    { options: { region: "eu" as const }, url: "https://events.eu.pagerduty.com/v2/enqueue" },
    { options: { apiUrl: "https://pd-proxy.example.com/" }, url: "https://pd-proxy.example.com/v2/enqueue" },
  ])("returns $url for $options", ({ options, url }) => {
    // Assess
    expect(enqueueUrlOf(options)).toBe(url);
  });
});
