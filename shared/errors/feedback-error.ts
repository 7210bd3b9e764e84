/**
 * What a failure means for the work that hit it. One answer per error,
 * decided where the error is made (the HTTP classifier, a parser, a
 * provider) and read in one place (`dispositionOf`), so no caller has to
 * guess from status codes or message text whether to try again.
 */
export const Disposition = {
  /** Worth another try: an outage, a timeout, a rate limit (then with the time before which trying is pointless). */
  Retry: "retry",
  /** Refused for good: the same request fails again until someone fixes access or configuration (401, 403, 404, 422). */
  Permanent: "permanent",
  /** The input itself is unusable (a malformed envelope, object or CommitStatus spec): reported and set aside, never retried. */
  InvalidInput: "invalidInput",
} as const;
export type Disposition = (typeof Disposition)[keyof typeof Disposition];

export interface FeedbackErrorOptions {
  readonly cause?: unknown;
  readonly disposition: Disposition;
  /** Retry only: epoch milliseconds before which another try is pointless. */
  readonly notBefore?: number;
  /** The clock reading `notBefore` was worked out from (default: now); `retryAfterSeconds` counts from it. */
  readonly now?: number;
}

/**
 * Base class of the project's errors: each says what should happen to the
 * work that failed (its `disposition`) and, when a server named one, the
 * time before which a retry is pointless (`notBefore`). The SQS verdict,
 * the pipeline and CommitStatus handlers read these through `dispositionOf`
 * and nothing else.
 */
export class FeedbackError extends Error {
  readonly disposition: Disposition;
  readonly notBefore?: number;
  readonly #since: number;

  constructor(message: string, options: FeedbackErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "FeedbackError";
    this.disposition = options.disposition;
    if (options.notBefore !== undefined) this.notBefore = options.notBefore;
    this.#since = options.now ?? Date.now();
  }

  /**
   * The wait `notBefore` stands for, in whole seconds (rounded up) counted
   * from when the error was made, for readers that think in delays (a
   * credential pause, a log line). Undefined when no time was named.
   */
  get retryAfterSeconds(): number | undefined {
    return this.notBefore === undefined ? undefined : Math.max(0, Math.ceil((this.notBefore - this.#since) / 1000));
  }

  /** Retried after the exponential backoff: retryable, and no time of its own named. */
  get backsOff(): boolean {
    return this.disposition === Disposition.Retry && this.notBefore === undefined;
  }
}

/**
 * A retryable failure that knows how long to wait (a rate limit's
 * `Retry-After`, a reset time): the message's visibility becomes that wait
 * instead of the backoff. For handlers and receivers written outside this
 * project, which think in seconds.
 */
export class RetryAfterError extends FeedbackError {
  constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown; now?: number }) {
    const now = options?.now ?? Date.now();
    super(message, { ...options, disposition: Disposition.Retry, notBefore: now + retryAfterSeconds * 1000, now });
    this.name = "RetryAfterError";
  }
}
