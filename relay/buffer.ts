import type { Envelope } from "../shared/envelope";
import { SQS_BATCH_LIMIT, type Sink } from "./sink";

export interface BufferOptions {
  /** How long a partial batch waits for company before it is sent. */
  lingerMs?: number;
  /** Envelopes held at most; `push` waits beyond that (backpressure, never loss). */
  capacity?: number;
}

/**
 * Groups envelopes into batches of up to ten for SendMessageBatch. `push`
 * resolves once the envelope is buffered; when the buffer is full it waits
 * for a flush, which pauses the watch behind it instead of dropping events.
 */
export class EnvelopeBuffer {
  readonly #sink: Sink;
  readonly #lingerMs: number;
  readonly #capacity: number;
  #pending: Envelope[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #error: unknown;
  /** Envelopes accepted, for the summary. */
  accepted = 0;

  constructor(sink: Sink, options: BufferOptions = {}) {
    this.#sink = sink;
    this.#lingerMs = options.lingerMs ?? 50;
    this.#capacity = Math.max(SQS_BATCH_LIMIT, options.capacity ?? 1000);
  }

  get depth(): number {
    return this.#pending.length;
  }

  async push(envelope: Envelope): Promise<void> {
    while (this.#pending.length >= this.#capacity) await this.flush();
    this.#pending.push(envelope);
    this.accepted++;
    if (this.#pending.length >= SQS_BATCH_LIMIT) void this.flush().catch(() => undefined);
    else this.#timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.#lingerMs);
  }

  /** Sends everything buffered; rejects if the sink gave up (the envelopes stay buffered). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(async () => {
      while (this.#pending.length > 0) {
        const batch = this.#pending.slice(0, SQS_BATCH_LIMIT);
        await this.#sink.send(batch);
        this.#pending.splice(0, batch.length);
      }
    });
    const done = this.#flushing;
    // A failed flush must not poison the next one: the chain continues, the caller sees the error.
    this.#flushing = done.catch((error: unknown) => {
      this.#error = error;
    });
    return done;
  }

  get lastError(): unknown {
    return this.#error;
  }
}
