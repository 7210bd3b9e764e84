/**
 * One place that turns an SCM's HTTP answer into the error a caller can act
 * on. The rules (DESIGN §6, issue "SCM providers"):
 * - 429, 403 with `x-ratelimit-remaining: 0`, and 403/429 with `retry-after`
 *   (GitHub's secondary limits) are rate limits: retry after the delay the
 *   SCM named (`retry-after` seconds, or the `x-ratelimit-reset` /
 *   `ratelimit-reset` epoch second minus now);
 * - 5xx, 408 and network failures are transient;
 * - everything else (401, 403, 404, 422, …) is permanent, with a message
 *   naming the repository and the permission that is probably missing.
 */
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

/** GitHub documents no delay for a secondary limit without `retry-after`: "wait at least one minute". */
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
  const retryAfter = seconds(header(headers, "retry-after"));
  const exhausted = header(headers, "x-ratelimit-remaining") === "0" || header(headers, "ratelimit-remaining") === "0";
  const secondary = /secondary rate limit|abuse detection/i.test(message);
  if (status === 403 && retryAfter === undefined && !exhausted && !secondary) return undefined;
  if (retryAfter !== undefined) return Math.max(1, Math.ceil(retryAfter));
  const reset = seconds(header(headers, "x-ratelimit-reset") ?? header(headers, "ratelimit-reset"));
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
