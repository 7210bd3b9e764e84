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
