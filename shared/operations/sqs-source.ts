import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { OperationSource, ReceivedOperation, Settlement } from "./source";

/** SQS's longest long poll and largest batch (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html). */
export const MAX_WAIT_SECONDS = 20;
export const MAX_MESSAGES = 10;

/**
 * A cluster's operations queue through the SDK, for relays with an AWS
 * identity (IRSA) and for the ingest function serving the others:
 * ReceiveMessage with a long poll, DeleteMessageBatch for what is done,
 * ChangeMessageVisibilityBatch for what must wait.
 */
export class SqsOperationSource implements OperationSource {
  readonly name = "sqs";
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { queueUrl: string; client?: SQSClient }) {
    if (!options.queueUrl) throw new Error("operations source: queueUrl cannot be empty");
    // fauxqs's queue URLs name a host that does not resolve: the endpoint comes from the SDK's settings.
    this.#sqs = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: false });
    this.#queueUrl = options.queueUrl;
  }

  async receive(waitSeconds: number, signal: AbortSignal): Promise<ReceivedOperation[]> {
    const out = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#queueUrl,
        MaxNumberOfMessages: MAX_MESSAGES,
        WaitTimeSeconds: Math.min(MAX_WAIT_SECONDS, Math.max(0, Math.round(waitSeconds))),
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
      { abortSignal: signal },
    );
    return (out.Messages ?? []).map((m) => ({
      id: m.MessageId ?? "",
      body: m.Body ?? "",
      handle: m.ReceiptHandle ?? "",
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? "1"),
    }));
  }

  async settle({ done, retry }: Settlement): Promise<void> {
    // Settled even when the other half fails: a delete must not wait for a visibility change.
    const results = await Promise.allSettled([
      done.length === 0
        ? Promise.resolve()
        : this.#sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: done.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })) })),
      retry.length === 0
        ? Promise.resolve()
        : this.#sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: this.#queueUrl,
              Entries: retry.map(({ handle, delaySeconds }, i) => ({ Id: String(i), ReceiptHandle: handle, VisibilityTimeout: delaySeconds })),
            }),
          ),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}
