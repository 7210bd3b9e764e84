/**
 * One classifier for every failed HTTP call the project makes (SCM
 * providers, chat and webhook receivers, the relay's ingest sink): what the
 * answer means for the work that failed, and how long the server asked us
 * to wait. Callers add their own words to the message and their own default
 * for a rate limit that names no time; the rules live here:
 * - no answer at all (refused connection, DNS, timeout): retry;
 * - rate limits: 429; 403 with a used-up limit (`x-ratelimit-remaining: 0`),
 *   with `Retry-After`, or saying "secondary rate limit" (GitHub answers its
 *   secondary limits with 403 and sometimes no header). Retried after the
 *   `Retry-After` (seconds or an HTTP date), else after the reset time;
 * - 503 with `Retry-After`: retry after it (RFC 9110 §10.2.3);
 * - other 5xx and 408: retry with backoff;
 * - everything else (400, 401, 403, 404, 422, a redirect): permanent, the
 *   same request is refused again until someone fixes access or input.
 */
import { Disposition } from "../errors";
import { retryAfterMs } from "./retry-after";

/** Response headers as fetch (`Headers`) or a client library (a plain object, any case) gives them. */
export type HttpHeaders = Headers | Readonly<Record<string, unknown>>;

/** A failed call, in terms every client library can provide. */
export interface HttpAnswer {
  /** Undefined when no answer arrived (network error, timeout). */
  readonly status?: number;
  readonly headers?: HttpHeaders;
  /** The server's own message, or the network error's: GitHub names its secondary limits only there. */
  readonly message: string;
  /** A wait the body named, in seconds (Discord's `retry_after`, Matrix's `retry_after_ms`); a `Retry-After` header wins. */
  readonly retryAfterSeconds?: number;
}

export interface HttpClassification {
  readonly disposition: Disposition;
  /** Epoch milliseconds before which a retry is pointless, when the answer named a time. */
  readonly notBefore?: number;
  /** The server asked us to slow down (a caller may pause the credential, or wait a default time). */
  readonly rateLimited: boolean;
}

/**
 * A named wait is at least a second: a limit that says "now" would otherwise
 * be tried again at once by every client that heard it.
 */
const MIN_WAIT_MS = 1_000;

export const headerOf = (headers: HttpHeaders | undefined, name: string): string | undefined => {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
};

const epochSeconds = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
};

/**
 * Milliseconds until the limit resets, from GitHub's `x-ratelimit-reset`
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit)
 * or GitLab's `RateLimit-Reset` (https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers),
 * both in epoch seconds. GitHub sends a reset on every answer, so beside a
 * limit that is not used up (a secondary limit) it says nothing about this
 * wait; GitLab sends its `RateLimit-*` headers on throttled answers only.
 */
const resetWaitMs = (headers: HttpHeaders | undefined, now: number): number | undefined => {
  const remaining = headerOf(headers, "x-ratelimit-remaining") ?? headerOf(headers, "ratelimit-remaining");
  if (remaining !== undefined && remaining !== "0") return undefined;
  const reset = epochSeconds(headerOf(headers, "x-ratelimit-reset") ?? headerOf(headers, "ratelimit-reset"));
  return reset === undefined ? undefined : reset * 1000 - now;
};

/** GitHub's secondary limits (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits). */
const SECONDARY_LIMIT = /secondary rate limit|abuse detection/i;

const isRateLimit = (status: number, headers: HttpHeaders | undefined, message: string, named: number | undefined): boolean => {
  if (status === 429) return true;
  if (status !== 403) return false;
  const remaining = headerOf(headers, "x-ratelimit-remaining") ?? headerOf(headers, "ratelimit-remaining");
  return named !== undefined || remaining === "0" || SECONDARY_LIMIT.test(message);
};

const after = (waitMs: number | undefined, now: number): { notBefore?: number } =>
  waitMs === undefined ? {} : { notBefore: now + Math.max(MIN_WAIT_MS, waitMs) };

/** Classifies a failed HTTP call; `now` is the clock the answer's times are read against. */
export const classifyHttp = (answer: HttpAnswer, now: number = Date.now()): HttpClassification => {
  const { status, headers, message } = answer;
  if (status === undefined) return { disposition: Disposition.Retry, rateLimited: false };
  const fromBody = answer.retryAfterSeconds === undefined ? undefined : answer.retryAfterSeconds * 1000;
  const named = retryAfterMs(headerOf(headers, "retry-after"), now) ?? fromBody;
  if (isRateLimit(status, headers, message, named)) {
    // GitHub's order: `retry-after` first, else the reset time of a used-up limit.
    return { disposition: Disposition.Retry, rateLimited: true, ...after(named ?? resetWaitMs(headers, now), now) };
  }
  if (status === 503) return { disposition: Disposition.Retry, rateLimited: false, ...after(named, now) };
  if (status >= 500 || status === 408) return { disposition: Disposition.Retry, rateLimited: false };
  return { disposition: Disposition.Permanent, rateLimited: false };
};
