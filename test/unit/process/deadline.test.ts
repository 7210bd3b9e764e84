import type { Context, SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { createBatchHandler } from "../../../shared/process/batch";
import { RECORD_RESERVE_MS } from "../../../shared/process/deadline";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { probe, ScriptedHandler } from "../../helpers/scripted-handler";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { failedIds, namedRecord } from "../../helpers/sqs-records";

const config = parseConfig({
  cluster: "unit",
  watch: [{ group: "test.kube-feedback.io", version: "v1", resource: "probes" }],
  processing: { maxRetries: 3, backoff: { baseSeconds: 2, capSeconds: 60 } },
});

const setup = () => ({ handler: new ScriptedHandler(), queue: new RecordingQueueOps() });

describe("Function: createBatchHandler, the invocation's clock", () => {
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
    const records = [namedRecord(a1, { messageId: "A1" }), namedRecord(b1, { messageId: "B1" }), namedRecord(b2, { messageId: "B2" }), namedRecord(c1, { messageId: "C1" })];

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
    const response = await batch({ Records: [namedRecord(g1, { messageId: "G1" }), namedRecord(h1, { messageId: "H1" })] } satisfies SQSEvent, clock(1_000, 100));

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
    const response = await batch({ Records: objects.map((o, i) => namedRecord(o, { messageId: `R${i}` })) } satisfies SQSEvent, clock(30_000, 1_000));

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(objects.flatMap((o) => handler.callsOf(o))).toHaveLength(3);
    expect(queue.delays).toEqual([]);
  });
});
