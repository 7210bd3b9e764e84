import { Disposition, type FailureDisposition } from "./disposition";
import { FeedbackError } from "./feedback-error";

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
