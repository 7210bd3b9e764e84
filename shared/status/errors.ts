/** Base class of the status channel's errors. */
export class StatusChannelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StatusChannelError";
  }
}

/** `close()` was called on a channel that was already closed. */
export class ChannelAlreadyClosedError extends StatusChannelError {
  constructor(options?: { cause?: unknown }) {
    super("status channel was already closed", options);
    this.name = "ChannelAlreadyClosedError";
  }
}

/** `send()` was called after the channel was closed. */
export class SendOnClosedChannelError extends StatusChannelError {
  constructor(options?: { cause?: unknown }) {
    super("cannot send on a closed status channel", options);
    this.name = "SendOnClosedChannelError";
  }
}

/** A handler returned without closing its channel within the bounded wait. */
export class UnclosedChannelError extends StatusChannelError {
  readonly handler: string;
  readonly event: string;
  readonly waitMs: number;
  constructor(handler: string, event: string, waitMs: number, options?: { cause?: unknown }) {
    super(`handler ${handler} did not close its status channel for ${event} within ${waitMs} ms`, options);
    this.name = "UnclosedChannelError";
    this.handler = handler;
    this.event = event;
    this.waitMs = waitMs;
  }
}

/**
 * An error that knows how long to wait before trying again (a rate limit's
 * `Retry-After` or reset time). The SQS mapping uses the hint as the
 * visibility delay instead of the exponential backoff.
 */
export class RetryAfterError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryAfterError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const retryAfterOf = (error: unknown): number | undefined => {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const hint = (e as Partial<RetryAfterError>).retryAfterSeconds;
    if (typeof hint === "number" && Number.isFinite(hint) && hint >= 0) return hint;
  }
  return undefined;
};

/**
 * Several failures of one event that are retried together (the receivers of
 * one message). The event waits for the longest of their waits: the longest
 * delay any of them named, and the backoff as well when one of them named
 * none. Reading only the first failure would let a failing webhook listed
 * before a rate-limited SCM send the SCM a request before its delay is over.
 */
export class CombinedRetryError extends AggregateError {
  /** The longest delay the failures named; undefined when none named one. */
  readonly retryAfterSeconds?: number;
  /** True when a failure named no delay, so the event also waits for the backoff. */
  readonly backsOff: boolean;
  constructor(errors: readonly Error[]) {
    super(errors, errors.map((e) => e.message).join("; "));
    this.name = "CombinedRetryError";
    const hints = errors.map(retryAfterOf);
    const named = hints.filter((hint): hint is number => hint !== undefined);
    if (named.length > 0) this.retryAfterSeconds = Math.max(...named);
    this.backsOff = named.length < hints.length;
  }
}

/** One error for failures retried together: the error itself when there is one. */
export const combineRetries = (errors: readonly Error[]): Error | undefined =>
  errors.length <= 1 ? errors[0] : new CombinedRetryError(errors);

/** True when retrying after `error` waits for the backoff: it named no delay, or one of the failures it combines did. */
export const backsOff = (error: unknown): boolean =>
  retryAfterOf(error) === undefined || (error instanceof CombinedRetryError && error.backsOff);
