/**
 * How long an HTTP server asked us to wait, read one way for every client in
 * the project (chat receivers, SCM providers, the relay's ingest sink).
 *
 * `Retry-After` is either delay-seconds or an HTTP-date
 * (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3). The standard
 * allows only whole seconds; Microsoft Graph sends fractions ("2.128",
 * https://learn.microsoft.com/graph/throttling), so a decimal is read too.
 */

/** Delay-seconds, optionally with a fraction: a sign or an exponent is not a delay. */
const DELAY_SECONDS = /^\d+(\.\d+)?$/;

/**
 * Milliseconds until the moment `value` names, or undefined when it names
 * none. A date in the past is no wait at all (0).
 */
export const retryAfterMs = (value: string | null | undefined, now: number = Date.now()): number | undefined => {
  const text = value?.trim();
  if (!text) return undefined;
  if (DELAY_SECONDS.test(text)) return Number(text) * 1000;
  // Only a date with a day or month name: Date.parse also reads "-5" or "2030" as a year.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
};

/** Whole seconds to wait (rounded up, so the wait is never cut short), or undefined. */
export const parseRetryAfter = (value: string | null | undefined, now: number = Date.now()): number | undefined => {
  const ms = retryAfterMs(value, now);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
};
