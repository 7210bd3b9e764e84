/**
 * The side of a status channel a builder writes to. Declared here rather than
 * importing `StatusChannel`, which holds `EventProcessStatus` values: the two
 * files would import each other.
 */
export interface StatusSink {
  send(status: EventProcessStatus): Promise<void>;
  close(): void;
}

/** What happened to one event, as a handler reports it. */
export const EventStatus = {
  Skip: "Skip",
  Retry: "Retry",
  MaxRetryReached: "MaxRetryReached",
  Completed: "Completed",
  Failure: "Failure",
  Processing: "Processing",
  PartialCompleted: "PartialCompleted",
} as const;
export type EventStatus = (typeof EventStatus)[keyof typeof EventStatus];

export interface EventProcessStatus {
  readonly status: EventStatus;
  readonly messages: Readonly<Record<string, string>>;
  readonly retry: boolean;
  /** Overrides the configured maximum number of retries for this event. */
  readonly maxRetry?: number;
  readonly error?: Error;
  /** True for the last status of an event (`sendClose` / `skipClose`). */
  readonly final: boolean;
  /** False when the handler asked not to be told about this status (`skipClose`). */
  readonly notify: boolean;
}

/**
 * Builder for an event's status, after the original "controller event status"
 * design: chain the `with…` calls, then end with `send`, `sendClose` or
 * `skipClose`.
 */
export class EventProcessStatusBuilder {
  #status: EventStatus = EventStatus.Completed;
  #messages: Record<string, string> = {};
  #retry = false;
  #maxRetry: number | undefined;
  #error: Error | undefined;

  withStatus(status: EventStatus): this {
    this.#status = status;
    return this;
  }

  withMessage(key: string, value: string): this {
    this.#messages[key] = value;
    return this;
  }

  withRetry(): this {
    this.#retry = true;
    return this;
  }

  withMaxRetry(maxRetry: number): this {
    if (!Number.isInteger(maxRetry) || maxRetry < 0) {
      throw new RangeError(`maxRetry must be a non-negative integer, got ${maxRetry}`);
    }
    this.#maxRetry = maxRetry;
    return this;
  }

  /** Anything thrown is accepted; a non-Error is wrapped so that `error.message` is always there. */
  withError(error: unknown): this {
    this.#error = error instanceof Error ? error : new Error(String(error), { cause: error });
    return this;
  }

  build(final = false, notify = true): EventProcessStatus {
    return {
      status: this.#status,
      messages: { ...this.#messages },
      retry: this.#retry || this.#status === EventStatus.Retry,
      ...(this.#maxRetry === undefined ? {} : { maxRetry: this.#maxRetry }),
      ...(this.#error === undefined ? {} : { error: this.#error }),
      final,
      notify,
    };
  }

  /** Sends an intermediate status; the channel stays open. */
  send(channel: StatusSink): Promise<void> {
    return channel.send(this.build(false, true));
  }

  /** Sends the last status of the event and closes the channel; `onStatus` is told. */
  async sendClose(channel: StatusSink): Promise<void> {
    await channel.send(this.build(true, true));
    channel.close();
  }

  /** Sends the last status of the event and closes the channel; `onStatus` is not told. */
  async skipClose(channel: StatusSink): Promise<void> {
    await channel.send(this.build(true, false));
    channel.close();
  }
}

export const newEventProcessStatus = (): EventProcessStatusBuilder => new EventProcessStatusBuilder();
