import { Disposition, type FailureDisposition } from "./disposition";
import { FeedbackError } from "./feedback-error";

/** How far down a chain of `cause`s an error of ours is looked for: wrappers rarely nest deeper. */
const MAX_CAUSE_DEPTH = 5;

/**
 * The one function that decides whether work that failed is tried again,
 * and when. The first FeedbackError in the error's `cause` chain speaks for
 * it (a library may wrap ours); an error that is not ours (a TypeError, an
 * SDK's network error) and no error at all are retried with backoff: the
 * event is not lost, and `processing.maxRetries` bounds the attempts.
 */
export const dispositionOf = (error: unknown): FailureDisposition => {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < MAX_CAUSE_DEPTH; e = e.cause, depth++) {
    if (e instanceof FeedbackError) {
      return { disposition: e.disposition, ...(e.notBefore === undefined ? {} : { notBefore: e.notBefore }), backsOff: e.backsOff };
    }
  }
  return { disposition: Disposition.Retry, backsOff: true };
};

/** True when the error's disposition is `retry`. */
export const isRetryable = (error: unknown): boolean => dispositionOf(error).disposition === Disposition.Retry;
