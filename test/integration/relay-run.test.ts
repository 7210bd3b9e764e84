import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import { runRelay } from "../../relay/run";
import { relaySettingsFromEnv } from "../../relay/settings";
import { startFakeKubeApiServer, type FakeKubeApiServer } from "../helpers/fake-kube/index.js";
import { CountingSink, eventually, memoryLog } from "../unit/relay/doubles";

const LEASES = { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease" } as const;
const LEASE = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "relay-system", name: "kube-feedback-relay" } as const;

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
