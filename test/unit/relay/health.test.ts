import { afterEach, describe, expect, it } from "vitest";
import { HealthServer, type HealthStatus } from "../../../relay/health";
import { RelayMetrics } from "../../../relay/metrics";
import { Relay } from "../../../relay/relay";
import { CountingSink, memoryLog, pipelineRun } from "./doubles";

describe("Class: HealthServer", () => {
  let server: HealthServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const start = async (status: HealthStatus, metrics = new RelayMetrics()): Promise<string> => {
    server = new HealthServer({ port: 0, host: "127.0.0.1", status: () => status, metrics });
    const port = await server.start();
    return `http://127.0.0.1:${port}`;
  };

  describe("Method: start", () => {
    it("exposes the relay's counters, buffer depth and leader gauge on /metrics", async () => {
      // Prepare
      const metrics = new RelayMetrics();
      const sink = new CountingSink();
      const relay = new Relay({ cluster: "dev", watch: [], sink, log: memoryLog().log, metrics, buffer: { lingerMs: 1 } });
      await relay.ship("ADDED", pipelineRun("a"));
      await relay.ship("MODIFIED", pipelineRun("a"));
      await relay.flush();
      metrics.leader.set(1);
      const url = await start({ live: true, ready: true, detail: {} }, metrics);

      // Act
      const response = await fetch(`${url}/metrics`);
      const text = await response.text();

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(text).toMatch(/kube_feedback_relay_events_received_total\{kind="PipelineRun",type="ADDED"\} 1/);
      expect(text).toMatch(/kube_feedback_relay_events_received_total\{kind="PipelineRun",type="MODIFIED"\} 1/);
      expect(text).toMatch(/kube_feedback_relay_envelopes_sent_total\{sink="counting"\} 2/);
      expect(text).toMatch(/# TYPE kube_feedback_relay_send_errors_total counter/);
      expect(text).toMatch(/kube_feedback_relay_buffer_depth 0/);
      expect(text).toMatch(/kube_feedback_relay_leader 1/);
    });

    it("counts send errors when the sink fails before it delivers", async () => {
      // Prepare
      const metrics = new RelayMetrics();
      const sink = new CountingSink();
      sink.failures = 2;
      const relay = new Relay({ cluster: "dev", watch: [], sink, log: memoryLog().log, metrics, buffer: { lingerMs: 1, retry: { baseMs: 1, maxMs: 2 } } });
      await relay.ship("ADDED", pipelineRun("b"));
      await relay.flush();
      const url = await start({ live: true, ready: true, detail: {} }, metrics);

      // Act
      const text = await (await fetch(`${url}/metrics`)).text();

      // Assess
      expect(text).toMatch(/kube_feedback_relay_send_errors_total\{sink="counting"\} 2/);
      expect(text).toMatch(/kube_feedback_relay_envelopes_sent_total\{sink="counting"\} 1/);
    });

    it.each([
      ["/readyz", { live: true, ready: true }, 200],
      ["/readyz", { live: true, ready: false }, 503],
      ["/healthz", { live: true, ready: false }, 200],
      ["/healthz", { live: false, ready: false }, 503],
    ])("answers %s with the status's verdict (%o → %i)", async (path, verdict, code) => {
      // Prepare
      const url = await start({ ...verdict, detail: { leader: false } });

      // Act
      const response = await fetch(`${url}${path}`);
      const body = (await response.json()) as Record<string, unknown>;

      // Assess
      expect(response.status).toBe(code);
      expect(body).toHaveProperty("leader", false);
    });

    it("answers 404 for other paths and 405 for other methods", async () => {
      // Prepare
      const url = await start({ live: true, ready: true, detail: {} });

      // Act
      const missing = await fetch(`${url}/nope`);
      const posted = await fetch(`${url}/metrics`, { method: "POST" });

      // Assess
      expect(missing.status).toBe(404);
      expect(posted.status).toBe(405);
    });
  });
});
