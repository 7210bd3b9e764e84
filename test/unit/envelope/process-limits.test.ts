import type { SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { makeEnvelope, type KubeObject } from "../../../shared/envelope";
import { createBatchHandler } from "../../../shared/process/batch";
import { EventStatus } from "../../../shared/status";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { probe, ScriptedHandler } from "../../helpers/scripted-handler";
import { sqsRecord } from "../../helpers/sqs-records";

const config = parseConfig({ cluster: "unit", watch: [{ group: "test.kube-feedback.io", version: "v1", resource: "probes" }] });

const setup = () => {
  const handler = new ScriptedHandler();
  const queue = new RecordingQueueOps();
  const batch = createBatchHandler({ config, store: new MemoryStateStore(), queue, receivers: [], routes: [handler.route], random: () => 0.5 });
  return { handler, queue, invoke: (...records: SQSRecord[]) => batch({ Records: records } satisfies SQSEvent) };
};

const record = (object: KubeObject, messageId: string, body?: string): SQSRecord => ({
  ...sqsRecord("unit", "MODIFIED", object, 1, body),
  messageId,
});

/** A probe's envelope whose spec is `{ a: { a: … } }` nested `levels` deep, as text (JSON.stringify would overflow). */
const deepBody = (object: KubeObject, levels: number): string =>
  JSON.stringify(makeEnvelope("unit", "MODIFIED", { ...object, spec: "DEEP" })).replace(
    '"DEEP"',
    `${'{"a":'.repeat(levels - 1)}{}${"}".repeat(levels - 1)}`,
  );

describe("Function: createBatchHandler with envelopes beyond the limits", () => {
  it("sends a 10,000-level deep envelope to the DLQ naming the path, and processes its neighbour", async () => {
    // Prepare
    const { handler, queue, invoke } = setup();
    const deep = probe("deep", "uid-deep", "1");
    const next = probe("next", "uid-next", "1");

    // Act
    const response = await invoke(record(deep, "DEEP", deepBody(deep, 10_000)), record(next, "NEXT"));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(queue.deadLetters).toEqual([
      {
        messageId: "DEEP",
        reason: "invalid envelope",
        status: EventStatus.Failure,
        error: "invalid envelope: object.spec.a.a.a.a.a.a…: nested deeper than 64 levels",
      },
    ]);
    expect(handler.invocations.map((i) => i.messageId)).toEqual(["NEXT"]);
  });

  it("sends an envelope whose cluster/uid is no valid MessageGroupId to the DLQ naming the uid", async () => {
    // Prepare
    const { handler, queue, invoke } = setup();
    const long = probe("long", "u".repeat(200), "1");

    // Act
    const response = await invoke(record(long, "LONG"));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(queue.deadLetters).toHaveLength(1);
    expect(queue.deadLetters[0]?.error).toBe(
      "invalid envelope: object.metadata.uid: is part of the SQS MessageGroupId (cluster/uid), which is 205 characters, more than the 128 SQS allows",
    );
    expect(handler.invocations).toEqual([]);
  });
});
