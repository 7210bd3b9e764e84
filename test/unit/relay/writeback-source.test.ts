import { describe, expect, it } from "vitest";
import { relaySettingsFromEnv } from "../../../relay/settings";
import { createOperationSource } from "../../../relay/writeback";
import { ConfigError, parseConfig } from "../../../shared/config";

const WATCH = [
  { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses" },
  { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "gitrepos" },
];
const relayed = parseConfig({ cluster: "private", watch: WATCH, kubernetes: { via: "relay" } });
const direct = parseConfig({ cluster: "private", watch: WATCH });
const env = (vars: Record<string, string>) => relaySettingsFromEnv({ RELAY_LEADER_ELECTION: "false", RELAY_KNOWN_OBJECTS: "false", ...vars });

describe("Function: createOperationSource", () => {
  it("returns nothing when the process side reaches the API server itself", () => {
    // Act & Assess
    expect(createOperationSource(direct, env({ QUEUE_URL: "https://sqs/q.fifo" }))).toBeUndefined();
  });

  it("returns the operations queue beside the sqs sink and the ingest function beside the webhook sink", () => {
    // Act
    const sqs = createOperationSource(relayed, env({ QUEUE_URL: "https://sqs/q.fifo", OPERATIONS_QUEUE_URL: "https://sqs/ops.fifo" }));
    const ingest = createOperationSource(relayed, env({ RELAY_SINK: "webhook", INGEST_URL: "https://api.example.com/prod/events", INGEST_SECRET: "key" }));

    // Assess
    expect(sqs?.name).toBe("sqs");
    expect(ingest?.name).toBe("ingest");
  });

  it.each([
    ["the sqs sink without OPERATIONS_QUEUE_URL", { QUEUE_URL: "https://sqs/q.fifo" }, "OPERATIONS_QUEUE_URL"],
    ["the stdout sink", { RELAY_SINK: "stdout" }, "RELAY_SINK"],
  ])("throws a ConfigError naming the variable for %s", (_case, vars, path) => {
    // Act
    const act = () => createOperationSource(relayed, env(vars));

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(expect.objectContaining({ path }));
  });
});
