/**
 * Errors of the SCM provider layer. Every one says whether retrying can help
 * (`retryable`), so callers map them onto the status channel without looking
 * at HTTP codes: rate limits carry their delay, outages are retried with
 * backoff, and refusals go to the DLQ with a message a human can act on.
 */

/** Base class of every SCM error. */
export class ScmError extends Error {
  readonly retryable: boolean;
  /** HTTP status of the response that caused it, when there was one. */
  readonly status?: number;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean; status?: number }) {
    super(message, options);
    this.name = "ScmError";
    this.retryable = options?.retryable ?? false;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/**
 * The SCM asked us to slow down (429, 403 with `x-ratelimit-remaining: 0`,
 * GitHub's secondary limits). `retryAfterSeconds` is the property
 * `retryAfterOf` (shared/status) reads, so the message's visibility becomes
 * the SCM's own delay instead of a blind backoff.
 */
export class RateLimitedError extends ScmError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown; status?: number }) {
    super(message, { ...options, retryable: true });
    this.name = "RateLimitedError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * No request was made: the credential is paused because a request with it
 * hit a rate limit (here or in another process) and the wait the SCM named
 * has not passed. `retryAfterSeconds` is what is left of that wait.
 */
export class CredentialPausedError extends ScmError {
  readonly retryAfterSeconds: number;
  /** The pause key: SCM host and credential id, never the secret. */
  readonly credential: string;
  /** Epoch milliseconds at which the pause ends. */
  readonly until: number;
  constructor(credential: string, until: number, now: number) {
    const seconds = Math.max(1, Math.ceil((until - now) / 1000));
    super(`${credential} is paused by a rate limit until ${new Date(until).toISOString()}: retry in ${seconds} s (no request made)`, { retryable: true });
    this.name = "CredentialPausedError";
    this.retryAfterSeconds = seconds;
    this.credential = credential;
    this.until = until;
  }
}

/** 5xx, timeouts and network failures: worth retrying with backoff. */
export class TransientScmError extends ScmError {
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, { ...options, retryable: true });
    this.name = "TransientScmError";
  }
}

/** The SCM refused (401, 403, 404, 422): the same request will fail again until someone fixes access or input. */
export class PermanentScmError extends ScmError {
  declare readonly retryable: false;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, { ...options, retryable: false });
    this.name = "PermanentScmError";
  }
}

/** A provider constructor was given options it cannot work with; `path` names the option. */
export class InvalidProviderOptionsError extends ScmError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(reason, { ...options, retryable: false });
    this.name = "InvalidProviderOptionsError";
    this.path = path;
    this.reason = reason;
  }
}

/** The factory was asked for a provider type it does not have. */
export class UnsupportedProviderError extends ScmError {
  readonly type: string;
  constructor(type: string, known: readonly string[]) {
    super(`provider "${type}" not supported (known: ${known.join(", ")})`, { retryable: false });
    this.name = "UnsupportedProviderError";
    this.type = type;
  }
}

/** A phase or provider state with no counterpart in the mapping table (DESIGN §6). */
export class UnmappedStateError extends ScmError {
  readonly value: string;
  constructor(what: string, value: unknown) {
    super(`${what} ${JSON.stringify(value)} has no mapping`, { retryable: false });
    this.name = "UnmappedStateError";
    this.value = String(value);
  }
}

/** A target the provider cannot address: wrong repository kind, missing name, short sha. */
export class InvalidTargetError extends ScmError {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`invalid status target: ${field}: ${reason}`, { retryable: false });
    this.name = "InvalidTargetError";
    this.field = field;
  }
}

/** A desired status the provider cannot write as given (Bitbucket needs a link on every build status). */
export class InvalidStatusError extends ScmError {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`invalid status: ${field}: ${reason}`, { retryable: false });
    this.name = "InvalidStatusError";
    this.field = field;
  }
}
