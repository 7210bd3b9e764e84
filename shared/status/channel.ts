import { ChannelAlreadyClosedError, SendOnClosedChannelError } from "./errors";
import type { EventProcessStatus, StatusSink } from "./event-status";

export const DEFAULT_CHANNEL_CAPACITY = 5;

interface BlockedSender {
  status: EventProcessStatus;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * A bounded channel of statuses between a handler and the runner, like a Go
 * buffered channel: `send` waits while the buffer is full, `receive` waits
 * while it is empty and returns `undefined` once closed and drained.
 * Node has no such primitive and the few libraries that have one are
 * unmaintained, so this is written here.
 *
 * Blocked senders are served first come, first served: a freed slot is
 * handed to the oldest waiting sender at once, so a later `send` can never
 * overtake an earlier one that was waiting for room.
 */
export class StatusChannel implements StatusSink {
  readonly capacity: number;
  #buffer: EventProcessStatus[] = [];
  #closed = false;
  #senders: BlockedSender[] = [];
  #receivers: Array<(status: EventProcessStatus | undefined) => void> = [];
  #closeWaiters: Array<() => void> = [];

  constructor(capacity: number = DEFAULT_CHANNEL_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`channel capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Statuses buffered and not yet received (blocked senders not counted). */
  get size(): number {
    return this.#buffer.length;
  }

  /** Resolves once the status is buffered or taken; waits while the channel is full. */
  async send(status: EventProcessStatus): Promise<void> {
    if (this.#closed) throw new SendOnClosedChannelError();
    const receiver = this.#receivers.shift();
    if (receiver) {
      receiver(status);
      return;
    }
    if (this.#buffer.length < this.capacity) {
      this.#buffer.push(status);
      return;
    }
    await new Promise<void>((resolve, reject) => this.#senders.push({ status, resolve, reject }));
  }

  receive(): Promise<EventProcessStatus | undefined> {
    const status = this.#buffer.shift();
    if (status !== undefined) {
      const sender = this.#senders.shift();
      if (sender) {
        this.#buffer.push(sender.status);
        sender.resolve();
      }
      return Promise.resolve(status);
    }
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#receivers.push(resolve));
  }

  /**
   * Closes the channel: what is buffered can still be received, senders
   * still waiting for room fail (their statuses were never accepted).
   */
  close(): void {
    if (this.#closed) throw new ChannelAlreadyClosedError();
    this.#closed = true;
    for (const receiver of this.#receivers.splice(0)) receiver(undefined);
    for (const sender of this.#senders.splice(0)) sender.reject(new SendOnClosedChannelError());
    for (const waiter of this.#closeWaiters.splice(0)) waiter();
  }

  /** Resolves when the channel is closed. */
  whenClosed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#closeWaiters.push(resolve));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<EventProcessStatus> {
    for (;;) {
      const status = await this.receive();
      if (status === undefined) return;
      yield status;
    }
  }
}
