import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { messageDeduplicationId, messageGroupId, type Envelope } from "../shared/envelope";
import { SinkDeliveryError } from "./errors";

/** Where the relay ships envelopes. */
export interface Sink {
  send(envelopes: readonly Envelope[]): Promise<void>;
}

/** SendMessageBatch takes at most ten entries. */
export const SQS_BATCH_LIMIT = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SqsSinkOptions {
  queueUrl: string;
  client?: SQSClient;
  /** Attempts per batch before giving up on its failed entries. */
  attempts?: number;
  baseDelayMs?: number;
}

/**
 * Sends envelopes to the FIFO queue, ten per request. Entries that SQS
 * rejects are retried with backoff; FIFO deduplication makes a resend of an
 * entry that did arrive harmless.
 */
export class SqsSink implements Sink {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  /** Requests and messages sent, for the summary and benchmarks. */
  readonly stats = { requests: 0, messages: 0 };

  constructor(options: SqsSinkOptions) {
    this.#sqs = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: false });
    this.#queueUrl = options.queueUrl;
    this.#attempts = options.attempts ?? 5;
    this.#baseDelayMs = options.baseDelayMs ?? 200;
  }

  async send(envelopes: readonly Envelope[]): Promise<void> {
    for (let i = 0; i < envelopes.length; i += SQS_BATCH_LIMIT) {
      await this.#sendBatch(envelopes.slice(i, i + SQS_BATCH_LIMIT));
    }
  }

  async #sendBatch(batch: readonly Envelope[]): Promise<void> {
    let pending = batch.map((envelope, index) => ({ id: String(index), envelope }));
    let lastError = "";
    for (let attempt = 0; attempt < this.#attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(this.#baseDelayMs * 2 ** (attempt - 1));
      try {
        this.stats.requests++;
        const out = await this.#sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.#queueUrl,
            Entries: pending.map(({ id, envelope }) => ({
              Id: id,
              MessageBody: JSON.stringify(envelope),
              MessageGroupId: messageGroupId(envelope),
              MessageDeduplicationId: messageDeduplicationId(envelope),
            })),
          }),
        );
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        lastError = (out.Failed ?? []).map((f) => `${f.Code}: ${f.Message}`).join("; ");
        this.stats.messages += pending.length - failed.size;
        pending = pending.filter(({ id }) => failed.has(id));
      } catch (error) {
        lastError = (error as Error).message;
      }
    }
    if (pending.length > 0) throw new SinkDeliveryError(pending.length, lastError);
  }
}
