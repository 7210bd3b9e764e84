import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";

export interface QueueOps {
  /** Makes the message visible again after `seconds` (the retry's backoff). */
  delay(record: SQSRecord, seconds: number): Promise<void>;
  /** Copies the message to the DLQ with the reason and last error as attributes. */
  deadLetter(record: SQSRecord, reason: string, status: string, error: string | undefined): Promise<void>;
}

const text = (value: string) => ({ DataType: "String", StringValue: value.slice(0, 1024) || "-" });

/**
 * SQS side effects of a verdict. The queue URLs come from settings, because
 * a Lambda record carries only the queue's ARN.
 */
export class SqsQueueOps implements QueueOps {
  #sqs: SQSClient | undefined;
  readonly #queueUrl: string;
  readonly #dlqUrl: string;

  constructor(options: { queueUrl: string; dlqUrl: string; client?: SQSClient }) {
    this.#sqs = options.client;
    this.#queueUrl = options.queueUrl;
    this.#dlqUrl = options.dlqUrl;
  }

  /**
   * The SQS client is needed only for a retry or a dead letter, never on the
   * path of a message that succeeds: loaded then, to keep it out of the cold
   * start.
   */
  async #client() {
    const sqs = await import("@aws-sdk/client-sqs");
    // fauxqs's queue URLs name a host that does not resolve: use the endpoint, not the URL's host.
    this.#sqs ??= new sqs.SQSClient({ useQueueUrlAsEndpoint: false });
    return { client: this.#sqs, sqs };
  }

  async delay(record: SQSRecord, seconds: number): Promise<void> {
    const { client, sqs } = await this.#client();
    const { ChangeMessageVisibilityCommand } = sqs;
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }

  async deadLetter(record: SQSRecord, reason: string, status: string, error: string | undefined): Promise<void> {
    const fifo = this.#dlqUrl.endsWith(".fifo");
    const { client, sqs } = await this.#client();
    const { SendMessageCommand } = sqs;
    await client.send(
      new SendMessageCommand({
        QueueUrl: this.#dlqUrl,
        MessageBody: record.body,
        ...(fifo
          ? {
              MessageGroupId: record.attributes.MessageGroupId ?? record.messageId,
              MessageDeduplicationId: record.messageId,
            }
          : {}),
        MessageAttributes: {
          reason: text(reason),
          status: text(status),
          error: text(error ?? ""),
          originalMessageId: text(record.messageId),
          receiveCount: text(record.attributes.ApproximateReceiveCount ?? "1"),
        },
      }),
    );
  }
}
