import { Disposition, FeedbackError } from "./feedback-error";

/** A failure's disposition with what a retry has to wait for. */
export interface FailureDisposition {
  readonly disposition: Disposition;
  /** Retry only: epoch milliseconds before which another try is pointless (a `Retry-After`, a rate-limit reset). */
  readonly notBefore?: number;
  /** Retry only: the exponential backoff applies, because a failure named no time of its own. */
  readonly backsOff: boolean;
}

/**
 * Several failures of one message that are settled together (the receivers
 * of one event). The message is retried when any of them can be; it then
 * waits for the longest of their waits: the latest time any of them named,
 * and the backoff as well when one of them named none. Reading only the first
 * failure would let a failing webhook listed before a rate-limited SCM send
 * the SCM a request before its wait is over. None retryable: invalid input
 * outranks a refusal, as it is the one a human has to fix first.
 */
export const combineDispositions = (parts: readonly FailureDisposition[]): FailureDisposition => {
  const retries = parts.filter((part) => part.disposition === Disposition.Retry);
  if (retries.length === 0) {
    const invalid = parts.some((part) => part.disposition === Disposition.InvalidInput);
    return { disposition: invalid ? Disposition.InvalidInput : Disposition.Permanent, backsOff: false };
  }
  const named = retries.map((part) => part.notBefore).filter((at): at is number => at !== undefined);
  return {
    disposition: Disposition.Retry,
    ...(named.length > 0 ? { notBefore: Math.max(...named) } : {}),
    backsOff: retries.some((part) => part.backsOff),
  };
};

/** How far down a chain of `cause`s an error of ours is looked for: wrappers rarely nest deeper. */
const MAX_CAUSE_DEPTH = 5;

/** The first error of ours down the error's `cause` chain: it speaks for the whole chain (a library may wrap ours). */
const ourErrorIn = (error: unknown): FeedbackError | undefined => {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < MAX_CAUSE_DEPTH; e = e.cause, depth++) {
    if (e instanceof FeedbackError) return e;
  }
  return undefined;
};

/**
 * The one function that decides whether work that failed is tried again,
 * and when. An error that is not ours (a TypeError, an SDK's network error)
 * and no error at all are retried with backoff: the event is not lost, and
 * `processing.maxRetries` bounds the attempts.
 */
export const dispositionOf = (error: unknown): FailureDisposition => {
  const ours = ourErrorIn(error);
  if (!ours) return { disposition: Disposition.Retry, backsOff: true };
  return { disposition: ours.disposition, ...(ours.notBefore === undefined ? {} : { notBefore: ours.notBefore }), backsOff: ours.backsOff };
};

/** True when the error's disposition is `retry`. */
export const isRetryable = (error: unknown): boolean => dispositionOf(error).disposition === Disposition.Retry;

/**
 * The wait the error named, in whole seconds counted from when it was made
 * (FeedbackError's `retryAfterSeconds`), or undefined when it named none:
 * for log lines and tests that think in delays. The SQS verdict counts from
 * its own clock to `notBefore` instead.
 */
export const retryAfterOf = (error: unknown): number | undefined => ourErrorIn(error)?.retryAfterSeconds;

/**
 * Several failures of one event that are settled together (the receivers of
 * one message), as one error: its disposition and wait are those of
 * `combineDispositions` over its failures. The message is the failures'
 * messages; `errors` keeps each one.
 */
export class CombinedRetryError extends FeedbackError {
  readonly errors: readonly Error[];
  readonly #backsOff: boolean;

  constructor(errors: readonly Error[]) {
    const combined = combineDispositions(errors.map(dispositionOf));
    super(errors.map((e) => e.message).join("; "), combined);
    this.name = "CombinedRetryError";
    this.errors = errors;
    this.#backsOff = combined.backsOff;
  }

  /** Also true when it has a time of its own, if one of its failures named none. */
  override get backsOff(): boolean {
    return this.#backsOff;
  }

  /** The longest wait its failures named, each counted from when it was made. */
  override get retryAfterSeconds(): number | undefined {
    const named = this.errors.map(retryAfterOf).filter((seconds): seconds is number => seconds !== undefined);
    return named.length > 0 ? Math.max(...named) : undefined;
  }
}

/** One error for failures settled together: the error itself when there is one. */
export const combineRetries = (errors: readonly Error[]): Error | undefined =>
  errors.length <= 1 ? errors[0] : new CombinedRetryError(errors);
