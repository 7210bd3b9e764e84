import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import { runRelay } from "../../relay/run";
import { relaySettingsFromEnv } from "../../relay/settings";
import { startFakeKubeApiServer, type FakeKubeApiServer } from "../helpers/fake-kube/index.js";
import { LEASE, LEASES } from "../helpers/lease-election";
import { CountingSink, eventually, memoryLog } from "../unit/relay/doubles";

const CONFIGMAPS = { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap" } as const;
const KNOWN = { apiVersion: "v1", kind: "ConfigMap", namespace: "relay-system", name: "kube-feedback-relay-known" } as const;

const poll = async (what: string, check: () => Promise<boolean>, attempts = 400): Promise<void> => {
  for (let i = 0; i < attempts; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting until ${what}`);
};

describe("Function: runRelay", () => {
  let server: FakeKubeApiServer;

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
    server.registerResource(LEASES);
    server.registerResource(CONFIGMAPS);
  });

  afterEach(async () => {
    await server.stop();
  });

  it("takes the lease, serves probes and metrics, ships, and releases the lease when stopped", async () => {
    // Prepare
    const config = parseConfig({ cluster: "dev", watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: ["ci"] }] });
    const settings = relaySettingsFromEnv({
      RELAY_SINK: "stdout",
      POD_NAME: "relay-0",
      POD_NAMESPACE: LEASE.namespace,
      RELAY_HEALTH_PORT: "0",
      RELAY_LEASE_DURATION_SECONDS: "2",
      RELAY_RENEW_SECONDS: "0.3",
      RELAY_RETRY_SECONDS: "0.2",
      RELAY_LINGER_MS: "2",
    });
    const sink = new CountingSink();
    const { log, lines } = memoryLog();
    const stop = new AbortController();
    server.apply({ apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: { name: "build-1", namespace: "ci" }, spec: {} });

    // Act
    const running = runRelay(config, undefined, log, { settings, kc: server.kubeConfig(), sink, signal: stop.signal });
    await eventually("the health server is up", () => lines.some((l) => l.message === "relay starting"));
    const port = lines.find((l) => l.message === "relay starting")?.fields.healthPort as number;
    const base = `http://127.0.0.1:${port}`;
    await poll("/readyz says ready", async () => (await fetch(`${base}/readyz`)).status === 200);
    await eventually("the run was shipped", () => sink.envelopes.length === 1);
    const readyz = (await (await fetch(`${base}/readyz`)).json()) as Record<string, unknown>;
    const healthz = await fetch(`${base}/healthz`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const holder = (server.get(LEASE)?.spec as { holderIdentity?: string }).holderIdentity;
    stop.abort();
    await running;

    // Assess
    expect(readyz).toMatchObject({ ready: true, leader: true, synced: true, holder });
    expect(holder).toMatch(/^relay-0_[0-9a-f]{8}$/);
    expect(healthz.status).toBe(200);
    expect(metrics).toMatch(/kube_feedback_relay_leader 1/);
    expect(metrics).toMatch(/kube_feedback_relay_events_received_total\{kind="PipelineRun",type="RESYNC"\} 1/);
    expect(metrics).toMatch(/kube_feedback_relay_process_resident_memory_bytes/);
    expect(sink.envelopes[0]).toMatchObject({ cluster: "dev", type: "RESYNC", kind: "PipelineRun" });
    expect((server.get(LEASE)?.spec as { holderIdentity?: string }).holderIdentity).toBe("");
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(["relay stopping", "relay stopped"]));
  });

  it("keeps the unfinished runs in a ConfigMap beside its Lease and sends DELETED for one deleted while it was down", async () => {
    // Prepare
    const config = parseConfig({ cluster: "dev", watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: ["ci"] }] });
    const settings = relaySettingsFromEnv({ RELAY_SINK: "stdout", POD_NAME: "relay-0", POD_NAMESPACE: KNOWN.namespace, RELAY_HEALTH_PORT: "0", RELAY_LINGER_MS: "2", RELAY_LEADER_ELECTION: "false" });
    const running = { conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }] };
    const run = server.apply({ apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: { name: "build-1", namespace: "ci" }, spec: {}, status: running });
    server.apply({ apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: { name: "build-2", namespace: "ci" }, spec: {}, status: running });
    const relayOnce = async (sink: CountingSink, until: () => boolean): Promise<void> => {
      const stop = new AbortController();
      const done = runRelay(config, undefined, memoryLog().log, { settings, kc: server.kubeConfig(), sink, signal: stop.signal });
      await eventually("the relay shipped", until, 15_000);
      stop.abort();
      await done;
    };
    const [before, after] = [new CountingSink(), new CountingSink()];
    await relayOnce(before, () => before.envelopes.length === 2);
    const saved = server.get(KNOWN) as { data?: Record<string, string>; binaryData?: Record<string, string> } | undefined;

    // Act
    server.remove({ apiVersion: "tekton.dev/v1", kind: "PipelineRun", namespace: "ci", name: "build-1" });
    await relayOnce(after, () => after.envelopes.length === 2);

    // Assess
    expect(saved?.data).toEqual({ entries: "2" });
    expect(Object.keys(saved?.binaryData ?? {})).toEqual(["known.json.gz"]);
    expect(after.envelopes.map((e) => [e.type, e.object.metadata.name]).sort()).toEqual([["DELETED", "build-1"], ["RESYNC", "build-2"]]);
    expect(after.envelopes.find((e) => e.type === "DELETED")?.object.metadata.uid).toBe(run.metadata?.uid);
    expect((server.get(KNOWN) as { data?: Record<string, string> }).data).toEqual({ entries: "1" });
  });

  it("throws a ConfigError naming QUEUE_URL when the sqs sink has no queue", async () => {
    // Prepare
    const config = parseConfig({ cluster: "dev", watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }] });
    const saved = process.env.QUEUE_URL;
    delete process.env.QUEUE_URL;

    // Act
    const act = runRelay(config, undefined, memoryLog().log, { kc: server.kubeConfig() });

    // Assess
    await expect(act).rejects.toThrow(/QUEUE_URL: is not set/);
    if (saved !== undefined) process.env.QUEUE_URL = saved;
  });
});
