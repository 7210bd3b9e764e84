import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";
import { deliveryUrl } from "../../../shared/receivers/googlechat";

const configError = (options: Record<string, unknown>): ConfigError => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [
      { name: "hook", type: "webhook", options: { url: "https://ci.example.com/hook" } },
      { name: "space", type: "googlechat", options },
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

const VALID = { url: "ssm:/kube-feedback/googlechat-webhook" };

describe("Options: googlechat", () => {
  it.each([
    { name: "a misspelt option", options: { ...VALID, timeoutSecond: 5 }, path: "timeoutSecond", reason: "unknown key" },
    { name: "a misspelt rate limit key", options: { ...VALID, rateLimit: { perMinute: 10, burst: 5 } }, path: "rateLimit.burst", reason: "unknown key" },
    { name: "a webhook URL given literally", options: { url: "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t" }, path: "url", reason: /must be a secret reference/ },
    { name: "no url", options: {}, path: "url", reason: "is required" },
    { name: "no events", options: { ...VALID, events: [] }, path: "events", reason: "list at least one of created, started, progress, finished" },
  ])("stops at start on $name, naming receivers[1].options.$path", ({ options, path, reason }) => {
    // Act
    const error = configError(options);

    // Assess
    expect(error.path).toBe(`receivers[1].options.${path}`);
    if (typeof reason === "string") expect(error.reason).toBe(reason);
    else expect(error.reason).toMatch(reason);
  });
});

describe("Function: deliveryUrl", () => {
  it("adds the reply option and the request id and keeps the webhook's key and token", () => {
    // Act
    const url = new URL(deliveryUrl("https://chat.googleapis.com/v1/spaces/AAA/messages?key=K&token=T%3D", "kube-feedback-abc"));

    // Assess
    expect(url.pathname).toBe("/v1/spaces/AAA/messages");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      key: "K",
      token: "T=",
      messageReplyOption: "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
      requestId: "kube-feedback-abc",
    });
  });
});
