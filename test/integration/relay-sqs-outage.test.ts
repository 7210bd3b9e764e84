import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs, type FauxqsServer } from "fauxqs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import type { WatchConfig } from "../../shared/config";
import { RelayMetrics } from "../../relay/metrics";
import { Relay } from "../../relay/relay";
import { SqsSink } from "../../relay/sinks/sqs";
import { startFakeKubeApiServer, type FakeKubeApiServer, type KubeObject } from "../helpers/fake-kube/index.js";
import { receiveEnvelopes } from "../helpers/sqs-wire";
import { eventually, memoryLog } from "../unit/relay/doubles";

const WATCH: WatchConfig[] = [{ group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: ["ci"] }];
const CAPACITY = 10;

const run = (name: string): KubeObject => ({
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  metadata: { name, namespace: "ci" },
  spec: {},
  status: { conditions: [{ type: "Succeeded", status: "Unknown", reason: "Pending" }] },
});

/** A metric's value from the exposition text (0 when the series has no sample yet). */
const metric = async (metrics: RelayMetrics, series: string): Promise<number> => {
  const line = (await metrics.render()).split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(" ")[1]) : 0;
};

describe("Class: Relay", () => {
  let emulators: Emulators;
  let restarted: FauxqsServer | undefined;
  let server: FakeKubeApiServer;
  let relay: Relay | undefined;
  let sqs: SQSClient;

  beforeEach(async () => {
    emulators = await startEmulators();
    server = await startFakeKubeApiServer();
    // One attempt per call: the relay's buffer owns retries, and an outage should show up as failed sends.
    sqs = new SQSClient({ useQueueUrlAsEndpoint: false, maxAttempts: 1 });
  });

  afterEach(async () => {
    relay?.abandon("test over");
    await server.stop();
    await restarted?.stop();
    await emulators.stop().catch(() => undefined);
    sqs.destroy();
  });

  describe("Method: start", () => {
    it("buffers through an SQS outage, pauses the watch when full, then delivers every event once SQS is back", async () => {
      // Prepare
      const metrics = new RelayMetrics();
      relay = new Relay({
        cluster: "dev",
        watch: WATCH,
        sink: new SqsSink({ queueUrl: emulators.queueUrl, client: sqs }),
        log: memoryLog().log,
        metrics,
        buffer: { capacity: CAPACITY, resumeAt: CAPACITY / 2, lingerMs: 5, retry: { baseMs: 20, maxMs: 100 } },
        watcher: { baseDelayMs: 10, maxDelayMs: 50 },
      });
      await relay.start(server.kubeConfig());
      await server.waitForWatches(1);
      for (const name of ["warm-1", "warm-2"]) server.apply(run(name));
      await eventually("the warm-up runs were sent", () => relay!.bufferDepth === 0 && relay!.sent === 2);
      const sqsPort = Number(new URL(emulators.sqsEndpoint).port);

      // Act: SQS goes away while 30 runs are created.
      await emulators.stop();
      const created = Array.from({ length: 30 }, (_, i) => server.apply(run(`outage-${i}`)));
      await eventually("the watch paused on a full buffer", () => server.openWatches === 0, 10_000);
      let sendErrors = 0;
      while (sendErrors < 3) {
        // Count-based outage: SQS stays down until the relay has retried a few times.
        sendErrors = await metric(metrics, 'kube_feedback_relay_send_errors_total{sink="sqs"}');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const depthWhilePaused = relay.bufferDepth;
      const watchesBeforeRestart = server.requests.filter((r) => r.verb === "watch").length;
      // SQS comes back on the same port; the queue is created again, so it has the same URL.
      restarted = await startFauxqs({ port: sqsPort, host: "127.0.0.1", logger: false });
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: "kube-feedback-events.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "false" } }),
      );
      const received = await receiveEnvelopes(sqs, QueueUrl!, created.length);

      // Assess
      expect(QueueUrl).toBe(emulators.queueUrl);
      expect(sendErrors).toBeGreaterThanOrEqual(3);
      expect(depthWhilePaused).toBe(CAPACITY);
      expect(await metric(metrics, 'kube_feedback_relay_watch_pauses_total{resource="pipelineruns.tekton.dev"}')).toBeGreaterThanOrEqual(1);
      // The paused watch was reopened from the cursor: no re-list, a watch request from a resourceVersion after the pause.
      const resumed = server.requests.filter((r) => r.verb === "watch").slice(watchesBeforeRestart - 1);
      expect(server.requests.filter((r) => r.verb === "list")).toHaveLength(1);
      expect(resumed.length).toBeGreaterThanOrEqual(1);
      expect(Number(resumed.at(-1)?.query.resourceVersion)).toBeGreaterThanOrEqual(Number(created[CAPACITY - 1]?.metadata?.resourceVersion));
      expect(received).toHaveLength(created.length);
      expect(new Set(received.map((e) => e.object.metadata.name))).toEqual(new Set(created.map((o) => o.metadata?.name)));
      expect(received.every((e) => e.type === "ADDED")).toBe(true);
      expect(await metric(metrics, 'kube_feedback_relay_envelopes_sent_total{sink="sqs"}')).toBe(2 + created.length);
      expect(await receiveEnvelopes(sqs, QueueUrl!, 1, 5)).toHaveLength(0);
    });
  });
});
