/**
 * A relay sink that delivers to the FIFO queue the way a hostile network and
 * an at-least-once world would: some envelopes arrive twice (the same body
 * under a second deduplication id, as after SQS's five-minute window or a
 * second delivery path), some arrive after the next event of their own run
 * (held back and sent behind it). The relay above it is the real one, so
 * everything it does (batching, retries, re-lists) still happens.
 */
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SendReport, Sink } from "../../../relay/sinks";
import { messageDeduplicationId, messageGroupId, SQS_LIMITS, type Envelope } from "../../../shared/envelope";
import type { SeededRandom } from "./random";

export interface ChaosSinkOptions {
  queueUrl: string;
  random: SeededRandom;
  /** Share of envelopes delivered twice. */
  duplicateRate: number;
  /** Share of envelopes delivered after the next envelope of the same object. */
  reorderRate: number;
  /** A held envelope whose object sends nothing more goes out after this many further batches. */
  maxHoldBatches?: number;
  client?: SQSClient;
}

interface Outgoing {
  envelope: Envelope;
  deduplicationId: string;
}

interface Held {
  envelope: Envelope;
  since: number;
}

export class ChaosSink implements Sink {
  readonly name = "chaos";
  readonly #options: ChaosSinkOptions;
  readonly #sqs: SQSClient;
  readonly #held = new Map<string, Held>();
  #batches = 0;
  /** Envelopes handed over by the relay, messages sent, and the faults added. */
  readonly stats = { envelopes: 0, messages: 0, requests: 0, duplicated: 0, reordered: 0 };

  constructor(options: ChaosSinkOptions) {
    this.#options = options;
    this.#sqs = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: false });
  }

  /** Envelopes held back and not sent yet. */
  get holding(): number {
    return this.#held.size;
  }

  async send(envelopes: readonly Envelope[]): Promise<SendReport> {
    const { random, duplicateRate, reorderRate } = this.#options;
    const batch = ++this.#batches;
    const out: Outgoing[] = [];
    const copies: Outgoing[] = [];
    const add = (envelope: Envelope) => {
      out.push({ envelope, deduplicationId: messageDeduplicationId(envelope) });
      if (random.chance(duplicateRate)) {
        this.stats.duplicated++;
        copies.push({ envelope, deduplicationId: `${messageDeduplicationId(envelope)}:again` });
      }
    };
    for (const envelope of envelopes) {
      const group = messageGroupId(envelope);
      const held = this.#held.get(group);
      if (!held && random.chance(reorderRate)) {
        this.stats.reordered++;
        this.#held.set(group, { envelope, since: batch });
        continue;
      }
      add(envelope);
      if (held) {
        this.#held.delete(group);
        add(held.envelope);
      }
    }
    // Copies go last: some land right behind their original, some behind later events of the run.
    out.push(...copies);
    for (const [group, held] of this.#held) {
      if (batch - held.since < (this.#options.maxHoldBatches ?? 5)) continue;
      this.#held.delete(group);
      add(held.envelope);
    }
    await this.#deliver(out);
    this.stats.envelopes += envelopes.length;
    return { sent: envelopes.length, retry: [], rejected: [] };
  }

  /** Sends everything still held back (the end of a run). */
  async release(): Promise<void> {
    const out = [...this.#held.values()].map(({ envelope }) => ({ envelope, deduplicationId: messageDeduplicationId(envelope) }));
    this.#held.clear();
    await this.#deliver(out);
  }

  destroy(): void {
    this.#sqs.destroy();
  }

  /** Throws when a request fails: the relay's buffer then retries the batch, and FIFO deduplication drops what did arrive. */
  async #deliver(out: readonly Outgoing[]): Promise<void> {
    for (let start = 0; start < out.length; start += SQS_LIMITS.batchEntries) {
      const chunk = out.slice(start, start + SQS_LIMITS.batchEntries);
      this.stats.requests++;
      const result = await this.#sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: chunk.map(({ envelope, deduplicationId }, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(envelope),
            MessageGroupId: messageGroupId(envelope),
            MessageDeduplicationId: deduplicationId,
          })),
        }),
      );
      if (result.Failed?.length) throw new Error(`chaos sink: ${result.Failed.length} entries refused: ${result.Failed[0]?.Message}`);
      this.stats.messages += chunk.length;
    }
  }
}
