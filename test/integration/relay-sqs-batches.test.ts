import { SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import type { WatchConfig } from "../../shared/config";
import type { KubeObject } from "../../shared/envelope";
import { RelayMetrics } from "../../relay/metrics";
import { Relay } from "../../relay/relay";
import { SqsSink } from "../../relay/sinks/sqs";
import { receiveEnvelopes } from "../helpers/sqs-wire";
import { memoryLog, pipelineRun } from "../unit/relay/doubles";

/**
 * The relay's SQS path against the emulated queue (fauxqs), by counts:
 * SendMessageBatch requests in flight at once, each run's events in order
 * on the FIFO queue, one JSON.stringify per envelope, and the events-received
 * metric touched once per label set rather than per event.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
const WATCH: WatchConfig[] = [{ group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: ["ci"] }];
const RUNS = 40;
const EVENTS = 5;

/** Every run's first event, then every run's second, and so on: each run's group spans many batches. */
const events = (): Array<["ADDED" | "MODIFIED", KubeObject]> => {
  const runs = Array.from({ length: RUNS }, (_, run) => pipelineRun(`run-${run}`));
  return Array.from({ length: EVENTS }, (_, i) =>
    runs.map((run): ["ADDED" | "MODIFIED", KubeObject] => [i === 0 ? "ADDED" : "MODIFIED", { ...run, metadata: { ...run.metadata, resourceVersion: String(i + 1) } }]),
  ).flat();
};

/** Counts SendMessageBatch requests in flight on the client the sink sends with. */
const countInFlight = (sqs: SQSClient): { max: number; requests: number } => {
  const counts = { max: 0, requests: 0 };
  let now = 0;
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "SendMessageBatchCommand") return next(args);
      counts.requests++;
      counts.max = Math.max(counts.max, ++now);
      try {
        return await next(args);
      } finally {
        now--;
      }
    },
    { step: "initialize", name: "countInFlight" },
  );
  return counts;
};

describe("Class: Relay", () => {
  let emulators: Emulators;
  let sender: SQSClient;
  let reader: SQSClient;

  beforeEach(async () => {
    emulators = await startEmulators();
    sender = new SQSClient({ useQueueUrlAsEndpoint: false, maxAttempts: 1 });
    reader = new SQSClient({ useQueueUrlAsEndpoint: false });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    sender.destroy();
    reader.destroy();
    await emulators.stop();
  });

  describe("Method: ship, into the SQS sink", () => {
    it("has several SendMessageBatch requests in flight and each run's events arrive in order", async () => {
      // Prepare
      const inFlight = countInFlight(sender);
      const relay = new Relay({ cluster: "dev", watch: WATCH, sink: new SqsSink({ queueUrl: emulators.queueUrl, client: sender }), log: memoryLog().log, buffer: { lingerMs: 1 } });

      // Act
      for (const [type, object] of events()) await relay.ship(type, object);
      await relay.flush();
      const received = await receiveEnvelopes(reader, emulators.queueUrl, RUNS * EVENTS);

      // Assess
      expect(inFlight.max).toBeGreaterThan(1);
      expect(inFlight.requests).toBe((RUNS * EVENTS) / 10);
      expect(received).toHaveLength(RUNS * EVENTS);
      for (let run = 0; run < RUNS; run++) {
        const versions = received.filter((e) => e.object.metadata.name === `run-${run}`).map((e) => e.object.metadata.resourceVersion);
        expect(versions).toEqual(["1", "2", "3", "4", "5"]);
      }
    });

    it("serialises each event once, for its size and for the request", async () => {
      // Prepare
      const relay = new Relay({ cluster: "dev", watch: WATCH, sink: new SqsSink({ queueUrl: emulators.queueUrl, client: sender }), log: memoryLog().log, buffer: { lingerMs: 1 } });
      const stringify = vi.spyOn(JSON, "stringify");

      // Act
      for (const [type, object] of events()) await relay.ship(type, object);
      await relay.flush();
      const calls = stringify.mock.calls.map(([value]) => value as Record<string, unknown> | null);
      // The envelope's body is joined from its object's pieces (relay/object-json.ts): the identity metadata is one of them.
      const envelopeCalls = calls.filter((value) => value?.v === 1 && "observedAt" in value).length;
      const identityCalls = calls.filter((value) => typeof value?.uid === "string" && typeof value.name === "string").length;
      stringify.mockRestore();

      // Assess
      expect(envelopeCalls).toBe(0);
      expect(identityCalls).toBe(RUNS * EVENTS);
      expect(await receiveEnvelopes(reader, emulators.queueUrl, RUNS * EVENTS)).toHaveLength(RUNS * EVENTS);
    });

    it("counts events received without touching the metric's series per event", async () => {
      // Prepare
      const metrics = new RelayMetrics();
      const relay = new Relay({ cluster: "dev", watch: WATCH, sink: new SqsSink({ queueUrl: emulators.queueUrl, client: sender }), log: memoryLog().log, metrics, buffer: { lingerMs: 1 } });
      const inc = vi.spyOn(metrics.eventsReceived, "inc");
      const labels = vi.spyOn(metrics.eventsReceived, "labels");

      // Act
      for (const [type, object] of events()) await relay.ship(type, object);
      await relay.flush();
      const text = await metrics.render();

      // Assess: two label sets (ADDED, MODIFIED), one addition each when scraped.
      expect(inc).toHaveBeenCalledTimes(2);
      expect(labels).not.toHaveBeenCalled();
      expect(text).toMatch(new RegExp(`kube_feedback_relay_events_received_total\\{kind="PipelineRun",type="ADDED"\\} ${RUNS}\\n`));
      expect(text).toMatch(new RegExp(`kube_feedback_relay_events_received_total\\{kind="PipelineRun",type="MODIFIED"\\} ${RUNS * (EVENTS - 1)}\\n`));
    });
  });
});
