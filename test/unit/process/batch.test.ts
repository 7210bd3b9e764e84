import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { EnvelopeType, KubeObject } from "../../../shared/envelope";
import { createBatchHandler } from "../../../shared/process/batch";
import { RECORD_RESERVE_MS } from "../../../shared/process/deadline";
import { EventStatus } from "../../../shared/status";
import { StoreKey } from "../../../shared/store";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { probe, ScriptedHandler } from "../../helpers/scripted-handler";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { sqsRecord } from "../../helpers/sqs-records";

const config = parseConfig({
  cluster: "unit",
  watch: [{ group: "test.kube-feedback.io", version: "v1", resource: "probes" }],
  processing: { maxRetries: 3, backoff: { baseSeconds: 2, capSeconds: 60 } },
});

const setup = () => {
  const handler = new ScriptedHandler();
  const queue = new RecordingQueueOps();
  const store = new MemoryStateStore();
  const batch = createBatchHandler({
    config,
    store,
    queue,
    receivers: [],
    routes: [handler.route],
    random: () => 0.5,
  });
  const invoke = (...records: SQSRecord[]) => batch({ Records: records } satisfies SQSEvent);
  return { handler, queue, store, invoke };
};

/** A record of `object` with a readable message id (and receipt handle). */
const envelopeRecord = (
  object: KubeObject,
  options: { messageId: string; receiveCount?: number; body?: string; type?: EnvelopeType },
): SQSRecord => ({
  ...sqsRecord("unit", options.type ?? "ADDED", object, options.receiveCount ?? 1, options.body),
  messageId: options.messageId,
  receiptHandle: `receipt-${options.messageId}`,
});

const failedIds = (response: { batchItemFailures: Array<{ itemIdentifier: string }> }) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);

describe("Function: createBatchHandler", () => {
  describe("FIFO groups", () => {
    it("fails A1 and A2 but not B1 when A1 must be retried in a batch of A1, A2, B1", async () => {
      // Prepare
      const { handler, invoke } = setup();
      const a1 = probe("a", "uid-a", "1");
      const a2 = probe("a", "uid-a", "2");
      const b1 = probe("b", "uid-b", "1");
      handler.script(a1, EventStatus.Retry);

      // Act
      const response = await invoke(
        envelopeRecord(a1, { messageId: "A1" }),
        envelopeRecord(a2, { messageId: "A2" }),
        envelopeRecord(b1, { messageId: "B1" }),
      );

      // Assess
      expect(failedIds(response)).toEqual(["A1", "A2"]);
      expect(handler.invocations.map((i) => i.messageId)).toEqual(["A1", "B1"]);
      expect(handler.statusesOf(b1)).toEqual([EventStatus.Completed]);
      expect(handler.callsOf(a2)).toHaveLength(0);
    });

    it("holds the skipped A2 back for as long as its head A1, and leaves B1 alone", async () => {
      // Prepare
      const { handler, queue, invoke } = setup();
      const a1 = probe("a", "uid-a", "1");
      handler.script(a1, EventStatus.Retry);

      // Act
      await invoke(
        envelopeRecord(a1, { messageId: "A1" }),
        envelopeRecord(probe("a", "uid-a", "2"), { messageId: "A2" }),
        envelopeRecord(probe("b", "uid-b", "1"), { messageId: "B1" }),
      );

      // Assess
      expect(queue.delays).toEqual([
        { messageId: "A1", seconds: 2 },
        { messageId: "A2", seconds: 2 },
      ]);
      expect(queue.deadLetters).toHaveLength(0);
    });

    it("fails only the rest of the group from the message that must be retried", async () => {
      // Prepare
      const { handler, invoke } = setup();
      const a2 = probe("a", "uid-a", "2");
      handler.script(a2, EventStatus.Retry);

      // Act
      const response = await invoke(
        envelopeRecord(probe("a", "uid-a", "1"), { messageId: "A1" }),
        envelopeRecord(probe("b", "uid-b", "1"), { messageId: "B1" }),
        envelopeRecord(a2, { messageId: "A2" }),
        envelopeRecord(probe("b", "uid-b", "2"), { messageId: "B2" }),
        envelopeRecord(probe("a", "uid-a", "3"), { messageId: "A3" }),
      );

      // Assess
      expect(failedIds(response)).toEqual(["A2", "A3"]);
      expect(handler.invocations.map((i) => i.messageId)).toEqual(["A1", "B1", "A2", "B2"]);
    });
  });

  describe("malformed envelopes", () => {
    it("sends a malformed envelope to the DLQ with reason 'invalid envelope' and processes its neighbours", async () => {
      // Prepare
      const { handler, queue, invoke } = setup();
      const c1 = probe("c", "uid-c", "1");
      const d1 = probe("d", "uid-d", "1");
      // In C1's own group, ahead of it: a dead-lettered message must not hold its group back.
      const broken = envelopeRecord(c1, { messageId: "M1", body: JSON.stringify({ v: 1, cluster: "unit" }) });

      // Act
      const response = await invoke(broken, envelopeRecord(c1, { messageId: "C1" }), envelopeRecord(d1, { messageId: "D1" }));

      // Assess
      expect(failedIds(response)).toEqual([]);
      expect(queue.deadLetters).toHaveLength(1);
      expect(queue.deadLetters[0]).toMatchObject({ messageId: "M1", reason: "invalid envelope", status: EventStatus.Failure });
      expect(queue.deadLetters[0]?.error).toContain("type");
      expect(handler.invocations.map((i) => i.messageId)).toEqual(["C1", "D1"]);
    });

    it("sends a body that is not JSON to the DLQ naming the reason", async () => {
      // Prepare
      const { queue, invoke } = setup();

      // Act
      const response = await invoke(envelopeRecord(probe("m", "uid-m"), { messageId: "M2", body: "{not json" }));

      // Assess
      expect(failedIds(response)).toEqual([]);
      expect(queue.deadLetters[0]).toMatchObject({ messageId: "M2", reason: "invalid envelope" });
      expect(queue.deadLetters[0]?.error).toContain("not JSON");
    });
  });

  describe("dead letters", () => {
    it("sends Retry at the max to the DLQ as MaxRetryReached and tells onStatus once", async () => {
      // Prepare
      const { handler, queue, invoke } = setup();
      const e1 = probe("e", "uid-e", "1");
      handler.script(e1, { status: EventStatus.Retry, error: new Error("SCM down") });

      // Act
      const response = await invoke(envelopeRecord(e1, { messageId: "E1", receiveCount: 4 }));

      // Assess
      expect(failedIds(response)).toEqual([]);
      expect(queue.delays).toHaveLength(0);
      expect(queue.deadLetters).toEqual([
        { messageId: "E1", reason: "max retries (3) reached", status: EventStatus.MaxRetryReached, error: "SCM down" },
      ]);
      expect(handler.statusesOf(e1)).toEqual([EventStatus.MaxRetryReached]);
    });

    it("retries without telling onStatus when the DLQ does not take a Failure, and tells it once when it does", async () => {
      // Prepare
      const { handler, queue, invoke } = setup();
      const f1 = probe("f", "uid-f", "1");
      handler.script(f1, { status: EventStatus.Failure, reason: "bad input" });
      queue.failDeadLetters = 1;

      // Act
      const first = await invoke(envelopeRecord(f1, { messageId: "F1", receiveCount: 1 }));
      const second = await invoke(envelopeRecord(f1, { messageId: "F1", receiveCount: 2 }));

      // Assess
      expect(failedIds(first)).toEqual(["F1"]);
      expect(failedIds(second)).toEqual([]);
      expect(queue.delays).toHaveLength(0);
      expect(queue.deadLetters).toEqual([{ messageId: "F1", reason: "bad input", status: EventStatus.Failure, error: undefined }]);
      expect(handler.statusesOf(f1)).toEqual([EventStatus.Failure]);
    });
  });

  describe("oldObj", () => {
    it("calls added for the first version and updated with the stored version for the next", async () => {
      // Prepare
      const { handler, store, invoke } = setup();
      const v1 = probe("g", "uid-g", "1");
      const v2 = probe("g", "uid-g", "2");

      // Act
      await invoke(envelopeRecord(v1, { messageId: "G1" }));
      await invoke(envelopeRecord(v2, { messageId: "G2" }));

      // Assess
      expect(handler.callsOf(v1).map((c) => c.method)).toEqual(["added"]);
      expect(handler.callsOf(v2).map((c) => [c.method, c.oldResourceVersion])).toEqual([["updated", "1"]]);
      expect(store.counts.writes).toBe(2);
      const stored = store.items.get(StoreKey.object("unit", "uid-g"))?.data as { object?: KubeObject };
      expect(stored.object?.metadata.resourceVersion).toBe("2");
    });

    it("keeps the last handled version as oldObj while a newer one is retried", async () => {
      // Prepare
      const { handler, store, invoke } = setup();
      const v1 = probe("h", "uid-h", "1");
      const v2 = probe("h", "uid-h", "2");
      handler.script(v2, EventStatus.Retry, EventStatus.Completed);

      // Act
      await invoke(envelopeRecord(v1, { messageId: "H1" }));
      await invoke(envelopeRecord(v2, { messageId: "H2", receiveCount: 1 }));
      await invoke(envelopeRecord(v2, { messageId: "H2", receiveCount: 2 }));

      // Assess
      expect(handler.callsOf(v2).map((c) => c.oldResourceVersion)).toEqual(["1", "1"]);
      expect(store.counts.writes).toBe(2);
    });

    it("calls deleted for a DELETED event and stores nothing", async () => {
      // Prepare
      const { handler, store, invoke } = setup();
      const gone = probe("i", "uid-i", "5");

      // Act
      await invoke(envelopeRecord(gone, { messageId: "I5", type: "DELETED" }));

      // Assess
      expect(handler.callsOf(gone).map((c) => c.method)).toEqual(["deleted"]);
      expect(store.counts.writes).toBe(0);
    });
  });

  describe("The invocation's clock", () => {
    /** A Lambda context whose remaining time falls by `stepMs` at every look. */
    const clock = (startMs: number, stepMs: number): Context => {
      let left = startMs + stepMs;
      return { getRemainingTimeInMillis: () => (left -= stepMs) } as Context;
    };

    it("hands back, unattempted and for the backoff a retry would wait, the records it has no time left to start, their groups' later records with them", async () => {
      // Prepare: less than a record's reserve left after the first record, which is always started
      const { handler, queue } = setup();
      const batch = createBatchHandler({ config, store: new MemoryStateStore(), queue, receivers: [], routes: [handler.route], random: () => 0.5 });
      const a1 = probe("a", "uid-a", "1");
      const b1 = probe("b", "uid-b", "1");
      const b2 = probe("b", "uid-b", "2");
      const c1 = probe("c", "uid-c", "1");
      const records = [envelopeRecord(a1, { messageId: "A1" }), envelopeRecord(b1, { messageId: "B1" }), envelopeRecord(b2, { messageId: "B2" }), envelopeRecord(c1, { messageId: "C1" })];

      // Act
      const response = await batch({ Records: records } satisfies SQSEvent, clock(RECORD_RESERVE_MS - 1_000, 1_000));

      // Assess
      expect(handler.callsOf(a1)).toHaveLength(1);
      expect([b1, b2, c1].flatMap((o) => handler.callsOf(o))).toEqual([]);
      expect(failedIds(response)).toEqual(["B1", "B2", "C1"]);
      // First receive, backoff base 2 s, jitter 0.5: 2 s (verdict.ts backoffSeconds)
      expect(queue.delays).toEqual(
        expect.arrayContaining([
          { messageId: "B1", seconds: 2 },
          { messageId: "B2", seconds: 2 },
          { messageId: "C1", seconds: 2 },
        ]),
      );
      expect(queue.delays).toHaveLength(3);
    });

    it("always starts an invocation's first record, even with less than a record's reserve left", async () => {
      // Prepare
      const { handler, queue } = setup();
      const batch = createBatchHandler({ config, store: new MemoryStateStore(), queue, receivers: [], routes: [handler.route], random: () => 0.5 });
      const g1 = probe("g", "uid-g", "1");
      const h1 = probe("h", "uid-h", "1");

      // Act
      const response = await batch({ Records: [envelopeRecord(g1, { messageId: "G1" }), envelopeRecord(h1, { messageId: "H1" })] } satisfies SQSEvent, clock(1_000, 100));

      // Assess: the first made progress, the second waits for a later invocation
      expect(handler.callsOf(g1)).toHaveLength(1);
      expect(failedIds(response)).toEqual(["H1"]);
    });

    it("starts every record while more than a record's reserve is left", async () => {
      // Prepare
      const { handler, queue } = setup();
      const batch = createBatchHandler({ config, store: new MemoryStateStore(), queue, receivers: [], routes: [handler.route], random: () => 0.5 });
      const objects = ["d", "e", "f"].map((name) => probe(name, `uid-${name}`, "1"));

      // Act
      const response = await batch({ Records: objects.map((o, i) => envelopeRecord(o, { messageId: `R${i}` })) } satisfies SQSEvent, clock(30_000, 1_000));

      // Assess
      expect(failedIds(response)).toEqual([]);
      expect(objects.flatMap((o) => handler.callsOf(o))).toHaveLength(3);
      expect(queue.delays).toEqual([]);
    });
  });
});
