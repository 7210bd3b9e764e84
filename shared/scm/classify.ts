/**
 * Turns an SCM's failed HTTP call into the error a caller can act on. What
 * the answer means (rate limit, outage, refusal) and how long to wait is
 * decided by the project's one HTTP classifier (shared/http/classify.ts);
 * this adds what only the SCM layer knows:
 * - a rate limit that names no time waits a minute, GitHub's guidance
 *   (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately);
 * - every message names the provider, the repository and what we were
 *   doing, and a refusal names the permission that is probably missing.
 */
import { Disposition } from "../errors";
import { classifyHttp, type HttpHeaders } from "../http";
import { PermanentScmError, RateLimitedError, TransientScmError, type ScmError } from "./errors";

export type HeaderMap = HttpHeaders;

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

/** GitHub: "If you receive a rate limit error [naming no time] wait for at least one minute before retrying." */
const DEFAULT_RATE_LIMIT_SECONDS = 60;

/** Seconds to wait, or undefined when the response is not a rate limit. */
export const rateLimitDelay = (status: number | undefined, headers: HeaderMap | undefined, message: string, now: number): number | undefined => {
  const answer = classifyHttp({ status, headers, message }, now);
  if (!answer.rateLimited) return undefined;
  return answer.notBefore === undefined ? DEFAULT_RATE_LIMIT_SECONDS : Math.ceil((answer.notBefore - now) / 1000);
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
  const { status, message, cause } = failure;
  const where = `${context.provider}: ${context.action} on ${context.repo}`;
  const now = (context.now ?? Date.now)();
  const answer = classifyHttp(failure, now);
  if (answer.rateLimited) {
    const delay = answer.notBefore === undefined ? DEFAULT_RATE_LIMIT_SECONDS : (answer.notBefore - now) / 1000;
    return new RateLimitedError(`${where}: rate limited (${status}), retry in ${Math.ceil(delay)} s: ${message}`, delay, { cause, status, now });
  }
  if (status === undefined) return new TransientScmError(`${where}: no response: ${message}`, { cause });
  if (answer.disposition === Disposition.Retry) {
    // A 503 may name the end of the outage (`Retry-After`): then that is the wait.
    const at = answer.notBefore === undefined ? {} : { notBefore: answer.notBefore, now };
    return new TransientScmError(`${where}: ${status}: ${message}`, { cause, status, ...at });
  }
  return new PermanentScmError(`${where}: ${status}: ${message}; ${hintFor(status, context)}`, { cause, status });
};
