import { messageGroupId, SQS_LIMITS, type Envelope } from "../shared/envelope";
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
  /** Batches sent at once; the sink's own `concurrency` by default, else one. */
  concurrency?: number;
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
  /** The envelope's FIFO group, once a batch was taken while another was in flight. */
  group?: string;
}

/** One batch being sent, and retried until none of it is left. */
interface Flight {
  entries: Entry[];
  groups: Set<string>;
  delay: Delay;
}

/**
 * Groups envelopes into batches of up to ten and sends up to `concurrency`
 * batches at once, while each message group (messageGroupId: a run's events)
 * keeps its order: an envelope joins a batch only when no batch in flight
 * holds its group, so a group's next batch leaves once its previous one was
 * accepted. A batch the sink could not deliver is retried with backoff,
 * forever, and holds its groups meanwhile: an outage costs time, never an
 * envelope. It holds at most `capacity` envelopes; when full, `offer` says no
 * and the producer pauses until the depth is back at `resumeAt`. Only
 * `abandon` drops anything, and only on purpose.
 */
export class EnvelopeBuffer {
  readonly #sink: Sink;
  readonly #hooks: BufferHooks;
  readonly #lingerMs: number;
  readonly #capacity: number;
  readonly #resumeAt: number;
  readonly #retry: BackoffOptions;
  readonly #concurrency: number;
  #queue: Entry[] = [];
  readonly #flights = new Set<Flight>();
  #inflightCount = 0;
  #seq = 0;
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
  /** Most batches that were in flight at once, for tests and benchmarks. */
  maxInFlight = 0;

  constructor(sink: Sink, options: BufferOptions = {}, hooks: BufferHooks = {}) {
    this.#sink = sink;
    this.#hooks = hooks;
    this.#lingerMs = options.lingerMs ?? 50;
    this.#capacity = Math.max(SQS_LIMITS.batchEntries, options.capacity ?? 1000);
    this.#resumeAt = Math.min(this.#capacity - 1, Math.max(0, options.resumeAt ?? Math.floor(this.#capacity / 2)));
    this.#retry = { baseMs: 200, maxMs: 30_000, ...options.retry };
    this.#concurrency = Math.max(1, options.concurrency ?? sink.concurrency ?? 1);
  }

  /** Envelopes waiting or in flight. */
  get depth(): number {
    return this.#queue.length + this.#inflightCount;
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
    for (const flight of this.#flights) flight.delay.cancel();
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
    for (const flight of this.#flights) flight.delay.cancel();
    this.#flights.clear();
    this.#inflightCount = 0;
    clearTimeout(this.#lingerTimer);
    this.#settle();
    return dropped;
  }

  #lowestPending(): number {
    let lowest = this.#queue[0]?.seq ?? Number.POSITIVE_INFINITY;
    for (const flight of this.#flights) lowest = Math.min(lowest, flight.entries[0]?.seq ?? lowest);
    return lowest;
  }

  #lingerElapsed(): void {
    this.#lingerTimer = undefined;
    this.#lingerDue = true;
    this.#kick();
  }

  /** Starts as many batches as there are free slots and envelopes ready to go. */
  #kick(): void {
    while (!this.#abandoned && this.#flights.size < this.#concurrency) {
      const entries = this.#takeBatch();
      if (!entries) break;
      const flight: Flight = { entries, groups: new Set(), delay: new Delay() };
      if (this.#concurrency > 1) for (const entry of entries) flight.groups.add(entry.group!);
      this.#flights.add(flight);
      this.#inflightCount += entries.length;
      this.maxInFlight = Math.max(this.maxInFlight, this.#flights.size);
      void this.#fly(flight);
    }
  }

  /** Sends one batch until every envelope of it was delivered (or the buffer abandoned), then frees its slot. */
  async #fly(flight: Flight): Promise<void> {
    const backoff = new Backoff(this.#retry);
    while (!this.#abandoned) {
      const batch = flight.entries;
      const report = await this.#attempt(batch.map((entry) => entry.envelope));
      if (this.#abandoned) return;
      const retry = new Set(report.retry);
      flight.entries = batch.filter((entry) => retry.has(entry.envelope));
      this.#inflightCount -= batch.length - flight.entries.length;
      this.delivered += batch.length - flight.entries.length;
      this.rejected += report.rejected.length;
      for (const { envelope, reason } of report.rejected) this.#hooks.rejected?.(envelope, reason);
      if (report.sent > 0) this.#hooks.sent?.(report.sent);
      if (flight.entries.length === 0) break;
      // Groups with nothing left to retry may go on in other batches meanwhile.
      if (this.#concurrency > 1) flight.groups = new Set(flight.entries.map((entry) => entry.group!));
      this.#settle();
      const wait = backoff.next(report.retryAfterMs);
      this.#hooks.sendFailed?.(report.detail ?? "no detail", flight.entries.length, backoff.failures);
      await flight.delay.wait(wait);
    }
    this.#flights.delete(flight);
    this.#settle();
    this.#kick();
    if (!this.#abandoned && this.#queue.length > 0) this.#lingerTimer ??= setTimeout(() => this.#lingerElapsed(), this.#lingerMs);
  }

  /**
   * The next batch to send: a full one at once, a partial one only after the
   * linger or on flush. With other batches in flight, envelopes of a group
   * one of them holds stay queued, and so do all later ones of that group.
   */
  #takeBatch(): Entry[] | undefined {
    const urgent = this.#lingerDue || this.#flushWaiters.length > 0;
    if (this.#queue.length === 0 || (this.#queue.length < SQS_LIMITS.batchEntries && !urgent)) return undefined;
    let batch: Entry[];
    if (this.#flights.size === 0) batch = this.#queue.splice(0, SQS_LIMITS.batchEntries);
    else {
      const held = new Set<string>();
      for (const flight of this.#flights) for (const group of flight.groups) held.add(group);
      batch = [];
      const rest: Entry[] = [];
      for (const entry of this.#queue) {
        entry.group ??= messageGroupId(entry.envelope);
        if (batch.length < SQS_LIMITS.batchEntries && !held.has(entry.group)) batch.push(entry);
        else rest.push(entry);
      }
      if (batch.length === 0 || (batch.length < SQS_LIMITS.batchEntries && !urgent)) return undefined;
      this.#queue = rest;
    }
    if (this.#concurrency > 1) for (const entry of batch) entry.group ??= messageGroupId(entry.envelope);
    if (this.#queue.length === 0) {
      this.#lingerDue = false;
      clearTimeout(this.#lingerTimer);
      this.#lingerTimer = undefined;
    }
    return batch;
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
