import { randomUUID } from "node:crypto";
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface PollerOptions {
  queueUrl: string;
  queueArn: string;
  handler: BatchHandler;
  region?: string;
  /** Long-poll wait per receive. */
  waitSeconds?: number;
}

/** Turns a received message into the record shape Lambda's SQS event source delivers. */
export const toLambdaRecord = (message: Message, queueArn: string, region: string): SQSRecord => {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId ? { MessageDeduplicationId: attributes.MessageDeduplicationId } : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [
        key,
        { stringValue: value.StringValue, dataType: value.DataType ?? "String", stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
};

const lambdaContext = (): Context =>
  ({
    functionName: "process",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:process",
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: "local",
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/**
 * What Lambda's SQS event source mapping does, locally: receive up to ten,
 * invoke the process handler, delete what it did not report as failed, and
 * leave failures to come back when their visibility timeout ends.
 */
export class LocalPoller {
  readonly #sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  readonly #options: PollerOptions;
  readonly #onError: (error: unknown) => void;
  #running = false;
  #loop: Promise<void> | undefined;
  #busy = false;
  readonly stats = { invocations: 0, records: 0, failures: 0 };

  constructor(options: PollerOptions, onError: (error: unknown) => void = () => undefined) {
    this.#options = options;
    this.#onError = onError;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#sqs.destroy();
  }

  /** True when nothing is waiting, in flight or delayed on the queue and no batch is being handled. */
  async idle(): Promise<boolean> {
    if (this.#busy) return false;
    const { Attributes = {} } = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#options.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
      }),
    );
    const count = (name: string) => Number((Attributes as Record<string, string>)[name] ?? 0);
    return !this.#busy && count("ApproximateNumberOfMessages") + count("ApproximateNumberOfMessagesNotVisible") + count("ApproximateNumberOfMessagesDelayed") === 0;
  }

  /** Resolves once the queue is drained (checked twice in a row, to let a last batch settle). */
  async drained(pollMs = 100): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      quiet = (await this.idle()) ? quiet + 1 : 0;
    }
  }

  async #run(): Promise<void> {
    const { queueUrl, queueArn, handler } = this.#options;
    const region = this.#options.region ?? process.env.AWS_REGION ?? "us-east-1";
    while (this.#running) {
      let Messages: Message[] = [];
      try {
        ({ Messages = [] } = await this.#sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.#options.waitSeconds ?? 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        ));
      } catch (error) {
        this.#onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (Messages.length === 0) continue;
      this.#busy = true;
      try {
        const records = Messages.map((m) => toLambdaRecord(m, queueArn, region));
        this.stats.invocations++;
        this.stats.records += records.length;
        const response = await handler({ Records: records }, lambdaContext());
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        this.stats.failures += failed.size;
        const done = records.filter((r) => !failed.has(r.messageId));
        if (done.length > 0) {
          await this.#sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
            }),
          );
        }
      } catch (error) {
        // Like a failed Lambda invocation: nothing is deleted, every message comes back.
        this.stats.failures += Messages.length;
        this.#onError(error);
      } finally {
        this.#busy = false;
      }
    }
  }
}
