import type { SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { EnvelopeType, KubeObject } from "../../../shared/envelope";
import { PipelinePhase } from "../../../shared/pipeline/types";
import { createBatchHandler } from "../../../shared/process/batch";
import { LifecycleEvent } from "../../../shared/receivers";
import { EventStatus } from "../../../shared/status";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { RecordingReceiver } from "../../helpers/recording-receiver";
import { probe, ScriptedHandler } from "../../helpers/scripted-handler";
import { sqsRecord } from "../../helpers/sqs-records";

const config = parseConfig({
  cluster: "unit",
  watch: [{ group: "batch", version: "v1", resource: "jobs" }],
  receivers: [{ name: "recorder", type: "console", selector: { namespaces: [] } }],
  processing: { maxRetries: 3, backoff: { baseSeconds: 2, capSeconds: 60 } },
});

/** A batch handler whose Probe route coalesces like the pipeline route (or not, with `coalesces: false`). */
const setup = (coalesces = true) => {
  const handler = new ScriptedHandler();
  const queue = new RecordingQueueOps();
  const batch = createBatchHandler({ config, store: new MemoryStateStore(), queue, receivers: [], routes: [{ ...handler.route, coalesces }], random: () => 0.5 });
  const invoke = (...records: SQSRecord[]) => batch({ Records: records } satisfies SQSEvent);
  return { handler, queue, invoke };
};

/** A record with a readable message id; `group` puts it in another object's message group (a TaskRun in its PipelineRun's). */
const record = (object: KubeObject, messageId: string, options: { type?: EnvelopeType; group?: string } = {}): SQSRecord => {
  const base = sqsRecord("unit", options.type ?? "MODIFIED", object);
  return {
    ...base,
    messageId,
    receiptHandle: `receipt-${messageId}`,
    attributes: { ...base.attributes, ...(options.group ? { MessageGroupId: options.group } : {}) },
  };
};

const failedIds = (response: { batchItemFailures: Array<{ itemIdentifier: string }> }) => response.batchItemFailures.map((f) => f.itemIdentifier);
const handled = (handler: ScriptedHandler) => handler.invocations.map((i) => i.messageId);

describe("Function: createBatchHandler", () => {
  describe("coalescing within a batch", () => {
    it("acknowledges older versions of an object without a call when a newer one follows in its group", async () => {
      // Prepare
      const { handler, invoke } = setup();

      // Act
      const response = await invoke(
        record(probe("a", "uid-a", "1"), "A1"),
        record(probe("b", "uid-b", "1"), "B1"),
        record(probe("a", "uid-a", "2"), "A2"),
        record(probe("a", "uid-a", "3"), "A3"),
      );

      // Assess
      expect(failedIds(response)).toEqual([]);
      expect(handled(handler)).toEqual(["B1", "A3"]);
    });

    it("acknowledges a duplicate delivery of the same version once the later copy is handled", async () => {
      // Prepare
      const { handler, invoke } = setup();
      const a1 = probe("a", "uid-a", "1");

      // Act
      const response = await invoke(record(a1, "A1"), record(a1, "A1-again"));

      // Assess
      expect(failedIds(response)).toEqual([]);
      expect(handled(handler)).toEqual(["A1-again"]);
    });

    it("holds the rest of the group back when the newest version must be retried, having acknowledged the older ones", async () => {
      // Prepare
      const { handler, queue, invoke } = setup();
      const a2 = probe("a", "uid-a", "2");
      handler.script(a2, EventStatus.Retry, EventStatus.Completed);
      // A child object in the same message group, behind the newest version.
      const child = record(probe("c", "uid-c", "3"), "C1", { group: "unit/uid-a" });

      // Act
      const first = await invoke(record(probe("a", "uid-a", "1"), "A1"), record(a2, "A2"), child, record(probe("b", "uid-b", "1"), "B1"));
      const second = await invoke(record(a2, "A2"), child);

      // Assess
      expect(failedIds(first)).toEqual(["A2", "C1"]);
      expect(handled(handler)).toEqual(["A2", "B1", "A2", "C1"]);
      expect(queue.delays.map((d) => d.messageId)).toEqual(["A2", "C1"]);
      expect(failedIds(second)).toEqual([]);
      expect(handler.statusesOf(a2)).toEqual([EventStatus.Retry, EventStatus.Completed]);
    });

    it("handles every version when a DELETED event of the object is among them", async () => {
      // Prepare
      const { handler, invoke } = setup();

      // Act
      await invoke(
        record(probe("a", "uid-a", "1"), "A1"),
        record(probe("a", "uid-a", "2"), "A2"),
        record(probe("a", "uid-a", "3"), "A3", { type: "DELETED" }),
      );

      // Assess
      expect(handled(handler)).toEqual(["A2", "A3"]);
      expect(handler.invocations.at(-1)?.method).toBe("deleted");
    });

    it("handles both versions when the later message carries an older resourceVersion (a redriven message)", async () => {
      // Prepare
      const { handler, invoke } = setup();

      // Act
      await invoke(record(probe("a", "uid-a", "9"), "A9"), record(probe("a", "uid-a", "5"), "A5"));

      // Assess
      expect(handled(handler)).toEqual(["A9", "A5"]);
    });

    it("handles both versions when a resourceVersion is not a decimal number", async () => {
      // Prepare
      const { handler, invoke } = setup();

      // Act
      await invoke(record(probe("a", "uid-a", "x1"), "A1"), record(probe("a", "uid-a", "x2"), "A2"));

      // Assess
      expect(handled(handler)).toEqual(["A1", "A2"]);
    });

    it("handles every version on a route that does not coalesce", async () => {
      // Prepare
      const { handler, invoke } = setup(false);

      // Act
      await invoke(record(probe("a", "uid-a", "1"), "A1"), record(probe("a", "uid-a", "2"), "A2"));

      // Assess
      expect(handled(handler)).toEqual(["A1", "A2"]);
    });
  });

  describe("coalescing on the pipeline route", () => {
    const job = (resourceVersion: string, status?: Record<string, unknown>): KubeObject => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "migrate", namespace: "ci", uid: "uid-job", resourceVersion },
      spec: {},
      ...(status ? { status } : {}),
    });
    const T1 = "2026-11-20T10:00:05Z";
    const complete = { type: "Complete", status: "True", reason: "CompletionsReached", lastTransitionTime: "2026-11-20T10:01:00Z" };

    it("calls a receiver once, with created, started and finished in the final state, for a Job whose three versions share a batch", async () => {
      // Prepare
      const recorder = new RecordingReceiver("recorder");
      const batch = createBatchHandler({ config, store: new MemoryStateStore(), queue: new RecordingQueueOps(), receivers: [{ receiver: recorder, entry: config.receivers[0]! }] });

      // Act
      const response = await batch({
        Records: [
          record(job("11"), "J1", { type: "ADDED" }),
          record(job("12", { startTime: T1, active: 1 }), "J2"),
          record(job("13", { startTime: T1, succeeded: 1, completionTime: "2026-11-20T10:01:00Z", conditions: [complete] }), "J3"),
        ],
      });

      // Assess
      expect(failedIds(response)).toEqual([]);
      expect(recorder.calls.map((c) => `${c.event} ${c.phase}`)).toEqual([
        `${LifecycleEvent.Created} ${PipelinePhase.Succeeded}`,
        `${LifecycleEvent.Started} ${PipelinePhase.Succeeded}`,
        `${LifecycleEvent.Progress} ${PipelinePhase.Succeeded}`,
        `${LifecycleEvent.Finished} ${PipelinePhase.Succeeded}`,
      ]);
    });
  });
});
