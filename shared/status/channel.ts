import { ChannelAlreadyClosedError, SendOnClosedChannelError } from "./errors";
import type { EventProcessStatus } from "./event-status";

export const DEFAULT_CHANNEL_CAPACITY = 5;

/**
 * A bounded channel of statuses between a handler and the runner, like a Go
 * buffered channel: `send` waits while the buffer is full, `receive` waits
 * while it is empty and returns `undefined` once closed and drained.
 * Node has no such primitive and the few libraries that have one are
 * unmaintained, so this is written here.
 */
export class StatusChannel {
  readonly capacity: number;
  #buffer: EventProcessStatus[] = [];
  #closed = false;
  #senders: Array<() => void> = [];
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

  get size(): number {
    return this.#buffer.length;
  }

  async send(status: EventProcessStatus): Promise<void> {
    if (this.#closed) throw new SendOnClosedChannelError();
    const receiver = this.#receivers.shift();
    if (receiver) {
      receiver(status);
      return;
    }
    while (this.#buffer.length >= this.capacity) {
      await new Promise<void>((resolve) => this.#senders.push(resolve));
      if (this.#closed) throw new SendOnClosedChannelError();
    }
    this.#buffer.push(status);
  }

  receive(): Promise<EventProcessStatus | undefined> {
    const status = this.#buffer.shift();
    if (status !== undefined) {
      this.#senders.shift()?.();
      return Promise.resolve(status);
    }
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#receivers.push(resolve));
  }

  close(): void {
    if (this.#closed) throw new ChannelAlreadyClosedError();
    this.#closed = true;
    for (const receiver of this.#receivers.splice(0)) receiver(undefined);
    for (const sender of this.#senders.splice(0)) sender();
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
