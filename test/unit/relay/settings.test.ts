import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../shared/config";
import { relaySettingsFromEnv } from "../../../relay/settings";

describe("Function: relaySettingsFromEnv", () => {
  it("returns the sqs sink with leader election and defaults when only QUEUE_URL is set", () => {
    // Act
    const settings = relaySettingsFromEnv({ QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/q.fifo", POD_NAME: "relay-0" });

    // Assess
    expect(settings.sink).toEqual({ type: "sqs", queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/q.fifo" });
    expect(settings.leaderElection).toMatchObject({ leaseName: "kube-feedback-relay", leaseDurationSeconds: 15, renewSeconds: 5, retrySeconds: 2 });
    expect(settings.leaderElection?.identity).toMatch(/^relay-0_[0-9a-f]{8}$/);
    expect(settings).toMatchObject({ healthPort: 8080, buffer: { capacity: 1000, lingerMs: 50 }, drainTimeoutMs: 20_000 });
  });

  it("returns the webhook sink when RELAY_SINK is webhook with its URL and secret", () => {
    // Act
    const settings = relaySettingsFromEnv({ RELAY_SINK: "webhook", INGEST_URL: "https://ingest.example.com/events", INGEST_SECRET: "k" });

    // Assess
    expect(settings.sink).toEqual({ type: "webhook", url: "https://ingest.example.com/events", secret: "k" });
  });

  it("returns no leader election when RELAY_LEADER_ELECTION is false", () => {
    // Act
    const settings = relaySettingsFromEnv({ RELAY_SINK: "stdout", RELAY_LEADER_ELECTION: "false" });

    // Assess
    expect(settings.leaderElection).toBeUndefined();
  });

  it.each([
    [{ RELAY_SINK: "kafka" }, "RELAY_SINK", /sqs, webhook or stdout/],
    [{}, "QUEUE_URL", /sqs sink needs it/],
    [{ RELAY_SINK: "webhook", INGEST_URL: "https://x.example.com" }, "INGEST_SECRET", /webhook sink needs it/],
    [{ RELAY_SINK: "webhook", INGEST_URL: "not a url", INGEST_SECRET: "k" }, "INGEST_URL", /not a URL/],
    [{ RELAY_SINK: "stdout", RELAY_LEASE_DURATION_SECONDS: "-1" }, "RELAY_LEASE_DURATION_SECONDS", /positive/],
    [{ RELAY_SINK: "stdout", RELAY_BUFFER_CAPACITY: "5" }, "RELAY_BUFFER_CAPACITY", /at least 10/],
    [{ RELAY_SINK: "stdout", RELAY_LEADER_ELECTION: "yes" }, "RELAY_LEADER_ELECTION", /true or false/],
  ])("throws ConfigError naming the variable when %o", (env, variable, reason) => {
    // Act
    const act = () => relaySettingsFromEnv(env);

    // Assess
    expect(act).toThrow(ConfigError);
    try {
      act();
    } catch (error) {
      expect((error as ConfigError).path).toBe(variable);
      expect((error as ConfigError).reason).toMatch(reason);
    }
  });
});
