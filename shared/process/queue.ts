import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
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
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #dlqUrl: string;

  constructor(options: { queueUrl: string; dlqUrl: string; client?: SQSClient }) {
    // fauxqs's queue URLs name a host that does not resolve: use the endpoint, not the URL's host.
    this.#sqs = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: false });
    this.#queueUrl = options.queueUrl;
    this.#dlqUrl = options.dlqUrl;
  }

  async delay(record: SQSRecord, seconds: number): Promise<void> {
    await this.#sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }

  async deadLetter(record: SQSRecord, reason: string, status: string, error: string | undefined): Promise<void> {
    const fifo = this.#dlqUrl.endsWith(".fifo");
    await this.#sqs.send(
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
