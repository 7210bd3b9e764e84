import type { SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import { createBatchHandler } from "../../../shared/process/batch";
import { EventStatus } from "../../../shared/status";
import { StoreKey } from "../../../shared/store";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { probe, ScriptedHandler } from "../../helpers/scripted-handler";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { failedIds, namedRecord } from "../../helpers/sqs-records";

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
        namedRecord(a1, { messageId: "A1" }),
        namedRecord(a2, { messageId: "A2" }),
        namedRecord(b1, { messageId: "B1" }),
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
        namedRecord(a1, { messageId: "A1" }),
        namedRecord(probe("a", "uid-a", "2"), { messageId: "A2" }),
        namedRecord(probe("b", "uid-b", "1"), { messageId: "B1" }),
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
        namedRecord(probe("a", "uid-a", "1"), { messageId: "A1" }),
        namedRecord(probe("b", "uid-b", "1"), { messageId: "B1" }),
        namedRecord(a2, { messageId: "A2" }),
        namedRecord(probe("b", "uid-b", "2"), { messageId: "B2" }),
        namedRecord(probe("a", "uid-a", "3"), { messageId: "A3" }),
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
      const broken = namedRecord(c1, { messageId: "M1", body: JSON.stringify({ v: 1, cluster: "unit" }) });

      // Act
      const response = await invoke(broken, namedRecord(c1, { messageId: "C1" }), namedRecord(d1, { messageId: "D1" }));

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
      const response = await invoke(namedRecord(probe("m", "uid-m"), { messageId: "M2", body: "{not json" }));

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
      const response = await invoke(namedRecord(e1, { messageId: "E1", receiveCount: 4 }));

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
      const first = await invoke(namedRecord(f1, { messageId: "F1", receiveCount: 1 }));
      const second = await invoke(namedRecord(f1, { messageId: "F1", receiveCount: 2 }));

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
      await invoke(namedRecord(v1, { messageId: "G1" }));
      await invoke(namedRecord(v2, { messageId: "G2" }));

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
      await invoke(namedRecord(v1, { messageId: "H1" }));
      await invoke(namedRecord(v2, { messageId: "H2", receiveCount: 1 }));
      await invoke(namedRecord(v2, { messageId: "H2", receiveCount: 2 }));

      // Assess
      expect(handler.callsOf(v2).map((c) => c.oldResourceVersion)).toEqual(["1", "1"]);
      expect(store.counts.writes).toBe(2);
    });

    it("calls deleted for a DELETED event and stores nothing", async () => {
      // Prepare
      const { handler, store, invoke } = setup();
      const gone = probe("i", "uid-i", "5");

      // Act
      await invoke(namedRecord(gone, { messageId: "I5", type: "DELETED" }));

      // Assess
      expect(handler.callsOf(gone).map((c) => c.method)).toEqual(["deleted"]);
      expect(store.counts.writes).toBe(0);
    });
  });
});
