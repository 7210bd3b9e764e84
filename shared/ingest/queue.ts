import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { chunkBySize, messageDeduplicationId, messageGroupId, type Envelope } from "../envelope";
import { EnqueueError } from "./errors";

export interface QueueEntry {
  envelope: Envelope;
  /** Overrides the envelope's own deduplication id (see admission.ts for when). */
  deduplicationId?: string;
}

export interface EnvelopeQueueOptions {
  queueUrl: string;
  client?: SQSClient;
  /** Attempts per entry; kept low because an admission call has seconds, not minutes. */
  attempts?: number;
  baseDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Enqueues envelopes on the FIFO queue with the relay's group and
 * deduplication ids, so an event that reaches us both ways, or a request the
 * client resends after a 503, is stored once.
 */
export class EnvelopeQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  readonly stats = { requests: 0, messages: 0 };

  constructor(options: EnvelopeQueueOptions) {
    this.#sqs = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: false });
    this.#queueUrl = options.queueUrl;
    this.#attempts = options.attempts ?? 3;
    this.#baseDelayMs = options.baseDelayMs ?? 50;
  }

  /** Throws EnqueueError listing the indexes of `entries` that did not make it. */
  async send(entries: readonly QueueEntry[]): Promise<void> {
    const messages: SendMessageBatchRequestEntry[] = entries.map(({ envelope, deduplicationId }, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(envelope),
      MessageGroupId: messageGroupId(envelope),
      MessageDeduplicationId: deduplicationId ?? messageDeduplicationId(envelope),
    }));
    // Requests split as the relay's SQS sink splits them (SQS_LIMITS), in order, so a group's events stay in order.
    const sized = messages.map((message) => ({ message, bytes: Buffer.byteLength(message.MessageBody!) }));
    const failed: number[] = [];
    let lastError = "";
    for (const batch of chunkBySize(sized)) {
      const result = await this.#sendBatch(batch.map(({ message }) => message));
      failed.push(...result.failed);
      lastError = result.error || lastError;
    }
    if (failed.length > 0) throw new EnqueueError(failed, lastError);
  }

  async #sendBatch(batch: SendMessageBatchRequestEntry[]): Promise<{ failed: number[]; error: string }> {
    let pending = batch;
    let error = "";
    for (let attempt = 0; attempt < this.#attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(this.#baseDelayMs * 2 ** (attempt - 1));
      try {
        this.stats.requests++;
        const out = await this.#sqs.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: pending }));
        const rejected = new Set((out.Failed ?? []).map((f) => f.Id));
        error = (out.Failed ?? []).map((f) => `${f.Code}: ${f.Message}`).join("; ");
        this.stats.messages += pending.length - rejected.size;
        pending = pending.filter((m) => rejected.has(m.Id));
      } catch (cause) {
        error = (cause as Error).message;
      }
    }
    return { failed: pending.map((m) => Number(m.Id)), error };
  }
}
