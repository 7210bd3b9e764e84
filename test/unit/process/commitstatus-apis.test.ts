import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { OperationsQueueMissingError } from "../../../shared/operations";
import { commitStatusApis } from "../../../shared/process/commitstatus-apis";
import { clusterKube } from "../../../shared/process/kube-access";
import { MemoryStateStore } from "../../helpers/memory-state-store";

const WATCH = [
  { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses" },
  { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "gitrepos" },
];
const saved = { own: process.env.OPERATIONS_QUEUE_URL, others: process.env.OPERATIONS_QUEUE_URLS };

const apisFor = (kubernetes: Record<string, unknown>) => {
  const config = parseConfig({ cluster: "prod-eu", watch: WATCH, kubernetes });
  return commitStatusApis({ config, store: new MemoryStateStore(), kube: clusterKube(config) });
};

describe("Function: commitStatusApis", () => {
  afterEach(() => {
    for (const [name, value] of [["OPERATIONS_QUEUE_URL", saved.own], ["OPERATIONS_QUEUE_URLS", saved.others]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("returns a relay API for a cluster reached via: relay, a direct one for the others, and none for a cluster named nowhere", () => {
    // Prepare
    process.env.OPERATIONS_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/1/ops.fifo";

    // Act
    const apiFor = apisFor({ via: "relay", clusters: { staging: { kubeconfig: "env:KC_STAGING" } } });

    // Assess
    expect(apiFor("prod-eu")?.via).toBe("relay");
    expect(apiFor("staging")?.via).toBe("direct");
    expect(apiFor("elsewhere")).toBeUndefined();
  });

  it("stops the cold start when the own cluster is reached via: relay without OPERATIONS_QUEUE_URL", () => {
    // Prepare
    delete process.env.OPERATIONS_QUEUE_URL;

    // Act & Assess
    expect(() => apisFor({ via: "relay" })).toThrow(OperationsQueueMissingError);
    expect(() => apisFor({ via: "relay" })).toThrow(/set OPERATIONS_QUEUE_URL/);
  });

  it("fails only the sync of another cluster whose queue is missing, naming OPERATIONS_QUEUE_URLS", async () => {
    // Prepare
    delete process.env.OPERATIONS_QUEUE_URL;
    delete process.env.OPERATIONS_QUEUE_URLS;
    const apiFor = apisFor({ clusters: { "prod-private": { via: "relay" } } });
    const api = apiFor("prod-private");

    // Act
    const relisted = api?.via === "relay" ? api.relist() : Promise.resolve();

    // Assess
    await expect(relisted).rejects.toThrow(OperationsQueueMissingError);
    await expect(relisted).rejects.toThrow(/OPERATIONS_QUEUE_URLS/);
  });
});
