import { SQS_LIMITS, type Envelope } from "../shared/envelope";
import { Backoff, Delay, type BackoffOptions } from "./backoff";
import { SinkDeliveryError } from "./errors";
import type { SendReport, Sink } from "./sinks/types";

export interface BufferOptions {
  /** How long a partial batch waits for company before it is sent. */
  lingerMs?: number;
  /** Envelopes held at most, in flight included; beyond that `offer` refuses and the watch pauses. */
  capacity?: number;
  /** Depth at which a paused producer may go on; half the capacity by default, so it does not flap. */
  resumeAt?: number;
  /** Backoff between attempts of a batch the sink could not deliver. */
  retry?: BackoffOptions;
}

/** What the buffer tells the relay, for metrics and logs. */
export interface BufferHooks {
  sent?(count: number): void;
  sendFailed?(detail: string, pending: number, attempt: number): void;
  rejected?(envelope: Envelope, reason: string): void;
  depth?(depth: number): void;
}

interface Entry {
  seq: number;
  envelope: Envelope;
}

/**
 * Groups envelopes into batches of up to ten, sends one batch at a time (so
 * envelopes of one object leave in the order they arrived) and retries a
 * batch the sink could not deliver with backoff, forever: an outage costs
 * time, never an envelope. It holds at most `capacity` envelopes; when full,
 * `offer` says no and the producer pauses until the depth is back at
 * `resumeAt`. Only `abandon` drops anything, and only on purpose.
 */
export class EnvelopeBuffer {
  readonly #sink: Sink;
  readonly #hooks: BufferHooks;
  readonly #lingerMs: number;
  readonly #capacity: number;
  readonly #resumeAt: number;
  readonly #backoff: Backoff;
  readonly #delay = new Delay();
  #queue: Entry[] = [];
  #inflight: Entry[] = [];
  #seq = 0;
  #pumping = false;
  #lingerTimer: NodeJS.Timeout | undefined;
  #lingerDue = false;
  #abandoned = false;
  /** Frozen by `abandon`: what was dropped then was never delivered. */
  #deliveredAtAbandon = 0;
  #flushWaiters: Array<{ target: number; resolve: () => void }> = [];
  #writableWaiters: Array<() => void> = [];
  /** Envelopes taken, delivered (sent or rejected for good) and rejected, for the summary and metrics. */
  accepted = 0;
  delivered = 0;
  rejected = 0;

  constructor(sink: Sink, options: BufferOptions = {}, hooks: BufferHooks = {}) {
    this.#sink = sink;
    this.#hooks = hooks;
    this.#lingerMs = options.lingerMs ?? 50;
    this.#capacity = Math.max(SQS_LIMITS.batchEntries, options.capacity ?? 1000);
    this.#resumeAt = Math.min(this.#capacity - 1, Math.max(0, options.resumeAt ?? Math.floor(this.#capacity / 2)));
    this.#backoff = new Backoff({ baseMs: 200, maxMs: 30_000, ...options.retry });
  }

  /** Envelopes waiting or in flight. */
  get depth(): number {
    return this.#queue.length + this.#inflight.length;
  }

  get full(): boolean {
    return this.depth >= this.#capacity;
  }

  /** Sequence number of the envelope taken last (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  /**
   * Every envelope with a sequence number up to this one was delivered (sent
   * or refused for good). The known-object set keeps an entry it forgot on
   * its persisted copy until the envelope that made it forget is past here.
   */
  get deliveredThrough(): number {
    if (this.#abandoned) return this.#deliveredAtAbandon;
    const lowest = this.#lowestPending();
    return lowest === Number.POSITIVE_INFINITY ? this.#seq : lowest - 1;
  }

  /** Takes the envelope unless the buffer is full; never waits. After `abandon` envelopes are dropped silently. */
  offer(envelope: Envelope): boolean {
    if (this.#abandoned) return true;
    if (this.full) return false;
    this.#queue.push({ seq: ++this.#seq, envelope });
    this.accepted++;
    this.#hooks.depth?.(this.depth);
    if (this.#queue.length >= SQS_LIMITS.batchEntries) this.#kick();
    else this.#lingerTimer ??= setTimeout(() => this.#lingerElapsed(), this.#lingerMs);
    return true;
  }

  /** Takes the envelope, waiting for room first: for producers that cannot pause (a list, a replay). */
  async push(envelope: Envelope): Promise<void> {
    while (!this.offer(envelope)) await this.whenWritable();
  }

  /** Resolves once the depth is down to `resumeAt` (at once when it already is). */
  whenWritable(): Promise<void> {
    if (this.#abandoned || this.depth <= this.#resumeAt) return Promise.resolve();
    return new Promise((resolve) => this.#writableWaiters.push(resolve));
  }

  /** Sends what is buffered now without waiting for the linger; resolves when all of it is delivered. */
  flush(): Promise<void> {
    const target = this.#seq;
    if (this.#abandoned || this.#lowestPending() > target) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#flushWaiters.push({ target, resolve }));
    this.#delay.cancel();
    this.#kick();
    return done;
  }

  /** Drops everything and stops sending (the lease was lost, or shutdown ran out of time); returns how many were dropped. */
  abandon(): number {
    if (this.#abandoned) return 0;
    this.#deliveredAtAbandon = this.deliveredThrough;
    this.#abandoned = true;
    const dropped = this.depth;
    this.#queue = [];
    this.#inflight = [];
    clearTimeout(this.#lingerTimer);
    this.#delay.cancel();
    this.#settle();
    return dropped;
  }

  #lowestPending(): number {
    return this.#inflight[0]?.seq ?? this.#queue[0]?.seq ?? Number.POSITIVE_INFINITY;
  }

  #lingerElapsed(): void {
    this.#lingerTimer = undefined;
    this.#lingerDue = true;
    this.#kick();
  }

  #kick(): void {
    if (!this.#pumping && !this.#abandoned) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (!this.#abandoned) {
        if (this.#inflight.length === 0 && !this.#takeBatch()) break;
        const batch = this.#inflight;
        const report = await this.#attempt(batch.map((entry) => entry.envelope));
        if (this.#abandoned) break;
        const retry = new Set(report.retry);
        this.#inflight = batch.filter((entry) => retry.has(entry.envelope));
        this.delivered += batch.length - this.#inflight.length;
        this.rejected += report.rejected.length;
        for (const { envelope, reason } of report.rejected) this.#hooks.rejected?.(envelope, reason);
        if (report.sent > 0) this.#hooks.sent?.(report.sent);
        this.#settle();
        if (this.#inflight.length === 0) {
          this.#backoff.reset();
          continue;
        }
        const wait = this.#backoff.next(report.retryAfterMs);
        this.#hooks.sendFailed?.(report.detail ?? "no detail", this.#inflight.length, this.#backoff.failures);
        await this.#delay.wait(wait);
      }
    } finally {
      this.#pumping = false;
    }
    if (!this.#abandoned && this.#queue.length > 0) this.#lingerTimer ??= setTimeout(() => this.#lingerElapsed(), this.#lingerMs);
  }

  /** Moves the next batch in flight: a full one at once, a partial one only after the linger or on flush. */
  #takeBatch(): boolean {
    const urgent = this.#lingerDue || this.#flushWaiters.length > 0;
    if (this.#queue.length === 0 || (this.#queue.length < SQS_LIMITS.batchEntries && !urgent)) return false;
    this.#inflight = this.#queue.splice(0, SQS_LIMITS.batchEntries);
    if (this.#queue.length === 0) {
      this.#lingerDue = false;
      clearTimeout(this.#lingerTimer);
      this.#lingerTimer = undefined;
    }
    return true;
  }

  async #attempt(batch: Envelope[]): Promise<SendReport> {
    try {
      return await this.#sink.send(batch);
    } catch (error) {
      const retryAfterMs = error instanceof SinkDeliveryError ? error.retryAfterMs : undefined;
      return { sent: 0, retry: batch, rejected: [], detail: (error as Error).message || String(error), retryAfterMs };
    }
  }

  #settle(): void {
    this.#hooks.depth?.(this.depth);
    const lowest = this.#lowestPending();
    const flushed = this.#flushWaiters.filter((w) => this.#abandoned || w.target < lowest);
    this.#flushWaiters = this.#flushWaiters.filter((w) => !flushed.includes(w));
    for (const waiter of flushed) waiter.resolve();
    if (this.#abandoned || this.depth <= this.#resumeAt) {
      const waiters = this.#writableWaiters;
      this.#writableWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
