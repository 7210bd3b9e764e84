import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { makeEnvelope, messageDeduplicationId, messageGroupId, type KubeObject } from "../../shared/envelope";
import { SqsQueueOps } from "../../shared/process/queue";
import { EventStatus } from "../../shared/status";
import { eventually } from "../helpers/eventually";
import { heldMessages } from "../helpers/fauxqs-inspect";
import { probe, ScriptedHandler } from "../helpers/scripted-handler";
import { DeferredQueueOps, QueueCollector, recordSqsWire, type WireCall } from "../helpers/sqs-wire";

const MAX_RETRIES = 3;

const config = parseConfig({
  cluster: "status-it",
  watch: [{ group: "test.kube-feedback.io", version: "v1", resource: "probes" }],
  // Small backoff so retries take seconds; random 0.5 below makes it 1 s, 2 s, 3 s.
  processing: { maxRetries: MAX_RETRIES, backoff: { baseSeconds: 1, capSeconds: 4 } },
});

/**
 * The real process handler on the local stack (fauxqs + dynalite, real SDK,
 * Lambda-like poller) with a scripted handler routed for a made-up kind.
 * Scenarios use distinct FIFO groups and run concurrently, as messages of
 * unrelated objects do on the real queue; each asserts only on its own messages.
 */
describe("Integration: status channel verdicts on SQS", () => {
  const handler = new ScriptedHandler();
  const queue = new DeferredQueueOps();
  let stack: LocalStack;
  let wire: WireCall[];
  let dlq: QueueCollector;
  let raw: SQSClient;

  beforeAll(async () => {
    stack = await startLocalStack({ config, process: { routes: [handler.route], queue, random: () => 0.5 } });
    const client = new SQSClient({ useQueueUrlAsEndpoint: false });
    wire = recordSqsWire(client);
    queue.target = new SqsQueueOps({ queueUrl: stack.emulators.queueUrl, dlqUrl: stack.emulators.dlqUrl, client });
    dlq = new QueueCollector(stack.emulators.dlqUrl);
    raw = new SQSClient({ useQueueUrlAsEndpoint: false });
  });

  afterAll(async () => {
    await dlq?.stop();
    raw?.destroy();
    await stack?.stop();
  });

  const ship = (...objects: KubeObject[]) => stack.sink.send(objects.map((o) => makeEnvelope(config.cluster, "ADDED", o)));

  /** VisibilityTimeout of every ChangeMessageVisibility that reached the main queue for this message. */
  const visibilityDelays = (messageId: string) =>
    wire
      .filter((c) => c.action === "ChangeMessageVisibility" && queue.messageIdOf(c.body.ReceiptHandle) === messageId)
      .map((c) => {
        if (c.statusCode !== 200 || c.body.QueueUrl !== stack.emulators.queueUrl) throw new Error(`unexpected call ${JSON.stringify(c)}`);
        return c.body.VisibilityTimeout;
      });

  const dlqSends = (messageId: string) =>
    wire.filter(
      (c) =>
        c.action === "SendMessage" &&
        c.body.QueueUrl === stack.emulators.dlqUrl &&
        (c.body.MessageAttributes as Record<string, { StringValue?: string }>).originalMessageId?.StringValue === messageId,
    );

  const attributes = (messageId: string) =>
    Object.fromEntries(
      Object.entries(dlq.fromOriginal(messageId)?.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]),
    );

  const held = async (messageId: string) =>
    (await heldMessages(stack.emulators.sqsEndpoint, stack.emulators.queueUrl)).some((m) => m.messageId === messageId);

  describe.concurrent("Scenario", () => {
    it("invokes a handler answering Retry, Retry, Retry, Completed 4 times with growing delays, then the message is gone", async ({ expect }) => {
      // Prepare
      const obj = probe("retry-then-complete", "uid-retry-then-complete");
      handler.script(obj, EventStatus.Retry, EventStatus.Retry, EventStatus.Retry, EventStatus.Completed);

      // Act
      await ship(obj);
      await eventually(() => handler.statusesOf(obj).includes(EventStatus.Completed));
      const messageId = handler.callsOf(obj)[0]!.messageId;
      await eventually(async () => !(await held(messageId)));

      // Assess
      expect(handler.callsOf(obj).map((c) => c.retryCount)).toEqual([0, 1, 2, 3]);
      expect(new Set(handler.callsOf(obj).map((c) => c.messageId))).toEqual(new Set([messageId]));
      expect(visibilityDelays(messageId)).toEqual([1, 2, 3]);
      expect(handler.statusesOf(obj)).toEqual([EventStatus.Retry, EventStatus.Retry, EventStatus.Retry, EventStatus.Completed]);
      expect(dlqSends(messageId)).toHaveLength(0);
    });

    it("sends a handler answering Retry forever to the DLQ after max retries, telling onStatus MaxRetryReached once", async ({ expect }) => {
      // Prepare
      const obj = probe("retry-forever", "uid-retry-forever");
      handler.script(obj, { status: EventStatus.Retry, error: new Error("SCM still unreachable") });

      // Act
      await ship(obj);
      await eventually(() => handler.statusesOf(obj).includes(EventStatus.MaxRetryReached));
      const messageId = handler.callsOf(obj)[0]!.messageId;
      await eventually(() => dlq.fromOriginal(messageId) !== undefined);
      await eventually(async () => !(await held(messageId)));

      // Assess
      expect(handler.callsOf(obj).map((c) => c.retryCount)).toEqual([0, 1, 2, 3]);
      expect(visibilityDelays(messageId)).toEqual([1, 2, 3]);
      expect(handler.statusesOf(obj).filter((s) => s === EventStatus.MaxRetryReached)).toHaveLength(1);
      expect(handler.statusesOf(obj)).toEqual([EventStatus.Retry, EventStatus.Retry, EventStatus.Retry, EventStatus.MaxRetryReached]);
      expect(dlqSends(messageId)).toHaveLength(1);
      expect(attributes(messageId)).toEqual({
        reason: `max retries (${MAX_RETRIES}) reached`,
        status: EventStatus.MaxRetryReached,
        error: "SCM still unreachable",
        originalMessageId: messageId,
        receiveCount: String(MAX_RETRIES + 1),
      });
      expect(JSON.parse(dlq.fromOriginal(messageId)!.Body!).object.metadata.name).toBe("retry-forever");
    });

    it("never retries Failure: one call, onStatus told, in the DLQ with its reason", async ({ expect }) => {
      // Prepare
      const obj = probe("failure", "uid-failure");
      handler.script(obj, { status: EventStatus.Failure, reason: "repository not found", error: new Error("404 Not Found") });

      // Act
      await ship(obj);
      await eventually(() => handler.callsOf(obj).length > 0);
      const messageId = handler.callsOf(obj)[0]!.messageId;
      await eventually(() => dlq.fromOriginal(messageId) !== undefined);
      await eventually(async () => !(await held(messageId)));

      // Assess
      expect(handler.callsOf(obj)).toHaveLength(1);
      expect(handler.statusesOf(obj)).toEqual([EventStatus.Failure]);
      expect(visibilityDelays(messageId)).toEqual([]);
      expect(attributes(messageId)).toMatchObject({ reason: "repository not found", status: EventStatus.Failure, error: "404 Not Found", receiveCount: "1" });
    });

    // fauxqs serves at most one message per group per receive and serves none
    // of a group while one of its messages is in flight, so A1 and A2 never
    // share a batch here: A2 waits on the queue until A1 is deleted. The
    // in-batch hold-back (A1 fails, A2 skipped, B1 processed) is proven with
    // a hand-built batch in test/unit/process/batch.test.ts.
    it("does not delay group B for a retry in group A, and A2 does not overtake A1", async ({ expect }) => {
      // Prepare
      const a1 = probe("group-a", "uid-group-a", "1");
      const a2 = probe("group-a", "uid-group-a", "2");
      const b1 = probe("group-b", "uid-group-b", "1");
      handler.script(a1, EventStatus.Retry, EventStatus.Completed);

      // Act: one SendMessageBatch, A1 before A2 in group A.
      await ship(a1, a2, b1);
      await eventually(() => handler.statusesOf(a2).includes(EventStatus.Completed) && handler.statusesOf(b1).length > 0);

      // Assess
      const [a1First, a1Second] = handler.callsOf(a1);
      const [a2Only] = handler.callsOf(a2);
      const [b1Only] = handler.callsOf(b1);
      expect(handler.callsOf(a1).map((c) => c.retryCount)).toEqual([0, 1]);
      expect(handler.callsOf(a2).map((c) => c.retryCount)).toEqual([0]);
      expect(handler.callsOf(b1).map((c) => c.retryCount)).toEqual([0]);
      // B1 ran on its first receive, before A1's backoff ended.
      expect(b1Only!.seq).toBeLessThan(a1Second!.seq);
      // Group A kept its order: A2 only after A1 had completed.
      expect(a1First!.seq).toBeLessThan(a1Second!.seq);
      expect(a2Only!.seq).toBeGreaterThan(a1Second!.seq);
      // A2 saw A1, stored in DynamoDB once A1 was handled, as its oldObj.
      expect([a2Only!.method, a2Only!.oldResourceVersion]).toEqual(["updated", "1"]);
      expect(visibilityDelays(a1First!.messageId)).toEqual([1]);
      expect(visibilityDelays(b1Only!.messageId)).toEqual([]);
      expect(visibilityDelays(a2Only!.messageId)).toEqual([]);
    });

    it("sends a malformed envelope to the DLQ with reason 'invalid envelope' and processes its neighbours", async ({ expect }) => {
      // Prepare
      const before = makeEnvelope(config.cluster, "ADDED", probe("neighbour-before", "uid-neighbour-before"));
      const after = makeEnvelope(config.cluster, "ADDED", probe("neighbour-after", "uid-neighbour-after"));
      const entry = (id: string, body: string, group: string, dedup: string) => ({
        Id: id,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: dedup,
      });

      // Act
      const sent = await raw.send(
        new SendMessageBatchCommand({
          QueueUrl: stack.emulators.queueUrl,
          Entries: [
            entry("before", JSON.stringify(before), messageGroupId(before), messageDeduplicationId(before)),
            entry("broken", JSON.stringify({ ...before, type: "PATCHED" }), "status-it/uid-broken", "broken-1"),
            entry("after", JSON.stringify(after), messageGroupId(after), messageDeduplicationId(after)),
          ],
        }),
      );
      const brokenId = sent.Successful?.find((s) => s.Id === "broken")?.MessageId ?? "";
      await eventually(() => dlq.fromOriginal(brokenId) !== undefined);
      await eventually(() => handler.statusesOf(before.object).length > 0 && handler.statusesOf(after.object).length > 0);
      await eventually(async () => !(await held(brokenId)));

      // Assess
      expect(sent.Failed ?? []).toHaveLength(0);
      expect(attributes(brokenId)).toMatchObject({ reason: "invalid envelope", status: EventStatus.Failure });
      expect(attributes(brokenId).error).toContain("type");
      expect(handler.callsOf(before.object)).toHaveLength(1);
      expect(handler.callsOf(after.object)).toHaveLength(1);
      expect(handler.statusesOf(before.object)).toEqual([EventStatus.Completed]);
      expect(handler.statusesOf(after.object)).toEqual([EventStatus.Completed]);
    });
  });
});
