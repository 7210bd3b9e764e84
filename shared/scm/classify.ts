/**
 * One place that turns an SCM's HTTP answer into the error a caller can act
 * on. The rules (DESIGN §6, issue "SCM providers"):
 * - 429, 403 with `x-ratelimit-remaining: 0`, and 403/429 with `retry-after`
 *   (GitHub's secondary limits) are rate limits: retry after the delay the
 *   SCM named (`retry-after` in seconds or as an HTTP date; with the limit
 *   used up, the `x-ratelimit-reset` / `ratelimit-reset` epoch second minus
 *   now), else after a minute, GitHub's guidance when no header says more;
 * - 5xx, 408 and network failures are transient;
 * - everything else (401, 403, 404, 422, …) is permanent, with a message
 *   naming the repository and the permission that is probably missing.
 */
import { parseRetryAfter } from "../http";
import { PermanentScmError, RateLimitedError, TransientScmError, type ScmError } from "./errors";

export type HeaderMap = Readonly<Record<string, string | number | undefined>>;

/** What went wrong, in terms every client library can provide. */
export interface HttpFailure {
  /** Undefined when no response arrived (network error, timeout). */
  readonly status?: number;
  readonly headers?: HeaderMap;
  /** The SCM's own message, or the network error's. */
  readonly message: string;
  readonly cause?: unknown;
}

export interface FailureContext {
  /** `github`, `gitlab`, …: starts the message. */
  readonly provider: string;
  /** `acme/shop`: every message names the repository. */
  readonly repo: string;
  /** What we were doing: `writing check run "ci/build" on abc1234`. */
  readonly action: string;
  /** The permission a 401/403/404 probably lacks, phrased as a requirement. */
  readonly permission: string;
  readonly now?: () => number;
}

/**
 * GitHub's order (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately):
 * `retry-after` first; else, when `x-ratelimit-remaining` is 0, the reset
 * time; else "wait for at least one minute". GitHub sends a reset time on
 * every answer, so beside a limit that is not used up it says nothing about
 * this wait; GitLab sends its `RateLimit-*` headers on throttled answers only.
 */
const DEFAULT_RATE_LIMIT_SECONDS = 60;

const header = (headers: HeaderMap | undefined, name: string): string | undefined => {
  if (!headers) return undefined;
  const value = headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return value === undefined ? undefined : String(value);
};

const seconds = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
};

/** Seconds to wait, or undefined when the response is not a rate limit. */
export const rateLimitDelay = (status: number | undefined, headers: HeaderMap | undefined, message: string, now: number): number | undefined => {
  if (status !== 429 && status !== 403) return undefined;
  const retryAfter = parseRetryAfter(header(headers, "retry-after"), now);
  const remaining = header(headers, "x-ratelimit-remaining") ?? header(headers, "ratelimit-remaining");
  const exhausted = remaining === "0";
  const secondary = /secondary rate limit|abuse detection/i.test(message);
  if (status === 403 && retryAfter === undefined && !exhausted && !secondary) return undefined;
  if (retryAfter !== undefined) return Math.max(1, retryAfter);
  // A reset speaks for this wait unless the same answer says the limit is not used up (GitHub's secondary limits).
  const reset = remaining === undefined || exhausted ? seconds(header(headers, "x-ratelimit-reset") ?? header(headers, "ratelimit-reset")) : undefined;
  if (reset !== undefined) return Math.max(1, Math.ceil(reset - now / 1000));
  return DEFAULT_RATE_LIMIT_SECONDS;
};

const hintFor = (status: number, context: FailureContext): string => {
  if (status === 401) return `the credentials were rejected (wrong, expired or revoked); ${context.permission}`;
  if (status === 403) return `access denied: ${context.permission}`;
  if (status === 404) return `not found: check that ${context.repo} exists and the commit is pushed; ${context.permission}`;
  if (status === 422 || status === 400) return "the SCM refused the request as invalid";
  return "the SCM refused the request";
};

/** Maps a failed request to RateLimitedError, TransientScmError or PermanentScmError. */
export const toScmError = (failure: HttpFailure, context: FailureContext): ScmError => {
  const { status, headers, message, cause } = failure;
  const where = `${context.provider}: ${context.action} on ${context.repo}`;
  const now = (context.now ?? Date.now)();
  const delay = rateLimitDelay(status, headers, message, now);
  if (delay !== undefined) {
    return new RateLimitedError(`${where}: rate limited (${status}), retry in ${delay} s: ${message}`, delay, { cause, status });
  }
  if (status === undefined) return new TransientScmError(`${where}: no response: ${message}`, { cause });
  if (status >= 500 || status === 408) return new TransientScmError(`${where}: ${status}: ${message}`, { cause, status });
  return new PermanentScmError(`${where}: ${status}: ${message}; ${hintFor(status, context)}`, { cause, status });
};
