/**
 * Errors of the SCM provider layer. Each carries its disposition (see
 * shared/errors), so callers map them onto the status channel without
 * looking at HTTP codes: rate limits carry the time the SCM named, outages
 * are retried with backoff, refusals go to the DLQ with a message a human
 * can act on, and a target or status that cannot be written is bad input.
 */
import { Disposition, FeedbackError } from "../errors";

export interface ScmErrorOptions {
  readonly cause?: unknown;
  /** HTTP status of the response that caused it, when there was one. */
  readonly status?: number;
}

/** Base class of every SCM error: permanent unless a subclass says otherwise. */
export class ScmError extends FeedbackError {
  /** HTTP status of the response that caused it, when there was one. */
  readonly status?: number;
  constructor(message: string, options?: ScmErrorOptions & { disposition?: Disposition; notBefore?: number; now?: number }) {
    super(message, { ...options, disposition: options?.disposition ?? Disposition.Permanent });
    this.name = "ScmError";
    if (options?.status !== undefined) this.status = options.status;
  }
}

/**
 * The SCM asked us to slow down (429, 403 with `x-ratelimit-remaining: 0`,
 * GitHub's secondary limits). `notBefore` is the time the SCM named, so the
 * message's visibility becomes the SCM's own delay instead of a blind
 * backoff, and the credential is paused until then (receivers/scm-pause).
 */
export class RateLimitedError extends ScmError {
  declare readonly notBefore: number;
  /**
   * `retryAfterSeconds`: the wait the SCM named, counted from `now` (epoch
   * milliseconds, default the current time).
   */
  constructor(message: string, retryAfterSeconds: number, options?: ScmErrorOptions & { now?: number }) {
    const now = options?.now ?? Date.now();
    super(message, { ...options, disposition: Disposition.Retry, notBefore: now + retryAfterSeconds * 1000, now });
    this.name = "RateLimitedError";
  }

  override get retryAfterSeconds(): number {
    return super.retryAfterSeconds ?? 0;
  }
}

/**
 * No request was made: the credential is paused because a request with it
 * hit a rate limit (here or in another process) and the wait the SCM named
 * has not passed. `notBefore` is the end of the pause; `retryAfterSeconds`
 * is what is left of it.
 */
export class CredentialPausedError extends ScmError {
  declare readonly notBefore: number;
  /** The pause key: SCM host and credential id, never the secret. */
  readonly credential: string;
  /** Epoch milliseconds at which the pause ends. */
  readonly until: number;
  constructor(credential: string, until: number, now: number) {
    const seconds = Math.max(1, Math.ceil((until - now) / 1000));
    super(`${credential} is paused by a rate limit until ${new Date(until).toISOString()}: retry in ${seconds} s (no request made)`, {
      disposition: Disposition.Retry,
      notBefore: until,
      now,
    });
    this.name = "CredentialPausedError";
    this.credential = credential;
    this.until = until;
  }

  override get retryAfterSeconds(): number {
    return Math.max(1, super.retryAfterSeconds ?? 0);
  }
}

/** 5xx, timeouts and network failures: worth retrying, with backoff unless the SCM named a time (a 503's `Retry-After`). */
export class TransientScmError extends ScmError {
  constructor(message: string, options?: ScmErrorOptions & { notBefore?: number; now?: number }) {
    super(message, { ...options, disposition: Disposition.Retry });
    this.name = "TransientScmError";
  }
}

/** The SCM refused (401, 403, 404, 422): the same request will fail again until someone fixes access or input. */
export class PermanentScmError extends ScmError {
  constructor(message: string, options?: ScmErrorOptions) {
    super(message, { ...options, disposition: Disposition.Permanent });
    this.name = "PermanentScmError";
  }
}

/** A provider constructor was given options it cannot work with; `path` names the option. */
export class InvalidProviderOptionsError extends ScmError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(reason, { ...options, disposition: Disposition.InvalidInput });
    this.name = "InvalidProviderOptionsError";
    this.path = path;
    this.reason = reason;
  }
}

/** The factory was asked for a provider type it does not have. */
export class UnsupportedProviderError extends ScmError {
  readonly type: string;
  constructor(type: string, known: readonly string[]) {
    super(`provider "${type}" not supported (known: ${known.join(", ")})`, { disposition: Disposition.InvalidInput });
    this.name = "UnsupportedProviderError";
    this.type = type;
  }
}

/** A phase or provider state with no counterpart in the mapping table (DESIGN §6). */
export class UnmappedStateError extends ScmError {
  readonly value: string;
  constructor(what: string, value: unknown) {
    super(`${what} ${JSON.stringify(value)} has no mapping`, { disposition: Disposition.InvalidInput });
    this.name = "UnmappedStateError";
    this.value = String(value);
  }
}

/** A target the provider cannot address: wrong repository kind, missing name, short sha. */
export class InvalidTargetError extends ScmError {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`invalid status target: ${field}: ${reason}`, { disposition: Disposition.InvalidInput });
    this.name = "InvalidTargetError";
    this.field = field;
  }
}

/** A desired status the provider cannot write as given (Bitbucket needs a link on every build status). */
export class InvalidStatusError extends ScmError {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`invalid status: ${field}: ${reason}`, { disposition: Disposition.InvalidInput });
    this.name = "InvalidStatusError";
    this.field = field;
  }
}
