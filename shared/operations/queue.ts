import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { operationGroupId, operationId, serializeOperation, type Operation } from "./operation";

/** Where the process side puts the operations for one cluster's relay. */
export interface OperationSender {
  send(operation: Operation): Promise<void>;
}

/**
 * The operations queue of one cluster: an SQS FIFO queue its relay (or the
 * ingest function, for relays on the webhook sink) receives from. A failed
 * send throws: the event that made the operation is retried, and the
 * content-based deduplication id keeps a resend from being applied twice.
 */
export class SqsOperationSender implements OperationSender {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { queueUrl: string; client?: SQSClient }) {
    if (!options.queueUrl) throw new Error("operations queue: queueUrl cannot be empty");
    // fauxqs's queue URLs name a host that does not resolve: the endpoint comes from AWS_ENDPOINT_URL_SQS.
    this.#sqs = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: false });
    this.#queueUrl = options.queueUrl;
  }

  async send(operation: Operation): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: serializeOperation(operation),
        MessageGroupId: operationGroupId(operation),
        MessageDeduplicationId: operationId(operation),
      }),
    );
  }
}
