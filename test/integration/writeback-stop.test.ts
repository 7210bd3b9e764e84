import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import { ApplyOutcome, WriteBackConsumer } from "../../relay/writeback";
import { makeOperation, parseOperation, SqsOperationSender, SqsOperationSource, type Operation } from "../../shared/operations";
import { memoryLog } from "../unit/relay/doubles";

describe("Class: WriteBackConsumer on the operations queue (fauxqs)", () => {
  let emulators: Emulators;
  let sqs: SQSClient;

  beforeAll(async () => {
    emulators = await startEmulators();
    sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  });

  afterAll(async () => {
    sqs?.destroy();
    await emulators?.stop();
  });

  it("hands back at once, unapplied, an operation its long poll received after stop, so the next leader need not wait out the visibility timeout", async () => {
    // Prepare: a leader whose long poll is in flight when it stops.
    const applied: Operation[] = [];
    const { log } = memoryLog();
    const consumer = new WriteBackConsumer({
      cluster: "private",
      source: new SqsOperationSource({ queueUrl: emulators.operationsQueueUrl }),
      log,
      waitSeconds: 3,
      applier: { apply: async (operation) => (applied.push(operation), { outcome: ApplyOutcome.Done, detail: "patched" }) },
    });
    const operation = makeOperation("private", { op: "patchStatus", namespace: "apps", name: "deploy", uid: "uid-deploy", status: { isSynced: true } });
    consumer.start();

    // Act
    await consumer.stop();
    await new SqsOperationSender({ queueUrl: emulators.operationsQueueUrl, client: sqs }).send(operation);
    const released = await consumer.released;
    // The next leader: the queue's visibility timeout is 30 s, this receive waits 2.
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emulators.operationsQueueUrl, WaitTimeSeconds: 2, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }),
    );

    // Assess
    expect(released).toBe(1);
    expect(applied).toEqual([]);
    expect(Messages.map((m) => [parseOperation(m.Body ?? ""), m.Attributes?.ApproximateReceiveCount])).toEqual([[operation, "2"]]);
  });
});
