/**
 * Errors of the ingest function. Each carries the HTTP status it is answered
 * with, so the router's error middleware needs no mapping table.
 */
export class IngestError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IngestError";
    this.statusCode = statusCode;
  }

  /** The JSON body the client gets. */
  toBody(): Record<string, unknown> {
    return { error: this.name, message: this.message };
  }
}

export const UnauthorizedReason = {
  MissingSignature: "missing-signature",
  BadSignature: "bad-signature",
  StaleTimestamp: "stale-timestamp",
  WrongToken: "wrong-token",
} as const;
export type UnauthorizedReason = (typeof UnauthorizedReason)[keyof typeof UnauthorizedReason];

/** Missing or wrong credentials: a bad HMAC, a timestamp outside the window, a wrong token. */
export class UnauthorizedError extends IngestError {
  readonly reason: UnauthorizedReason;
  constructor(reason: UnauthorizedReason, message: string, options?: { cause?: unknown }) {
    super(401, message, options);
    this.name = "UnauthorizedError";
    this.reason = reason;
  }

  override toBody(): Record<string, unknown> {
    return { ...super.toBody(), reason: this.reason };
  }
}

/**
 * A correctly signed request whose signature was already used within the
 * window. 409 rather than 401: the key is right, only this exact request was
 * seen before, and a client must not mistake it for a key problem.
 */
export class ReplayedRequestError extends IngestError {
  constructor(message = "replayed request: this signature was already used; sign the body again with a fresh timestamp") {
    super(409, message);
    this.name = "ReplayedRequestError";
  }
}

/**
 * Right credentials, wrong target: a CloudEvents token used for events of
 * another cluster than the one it is bound to. 403 rather than 401: sending
 * the same token again will never help.
 */
export class ForbiddenError extends IngestError {
  constructor(message: string) {
    super(403, message);
    this.name = "ForbiddenError";
  }
}

export class PayloadTooLargeError extends IngestError {
  readonly bytes: number;
  readonly limit: number;
  constructor(bytes: number, limit: number) {
    super(413, `body is ${bytes} bytes, more than the ${limit} bytes accepted`);
    this.name = "PayloadTooLargeError";
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** One rejected item of a request: its index in the body, the field and the reason. */
export interface ItemProblem {
  index: number;
  path: string;
  reason: string;
}

/** The request (or some of its items) is not what the endpoint takes; nothing was enqueued. */
export class InvalidRequestError extends IngestError {
  readonly problems: readonly ItemProblem[];
  constructor(message: string, problems: readonly ItemProblem[] = [], options?: { cause?: unknown }) {
    super(400, message, options);
    this.name = "InvalidRequestError";
    this.problems = problems;
  }

  override toBody(): Record<string, unknown> {
    return { ...super.toBody(), ...(this.problems.length ? { invalid: this.problems, enqueued: 0 } : {}) };
  }
}

export class RouteNotFoundError extends IngestError {
  constructor(method: string, path: string) {
    super(404, `no route for ${method} ${path}`);
    this.name = "RouteNotFoundError";
  }
}

/** Some envelopes could not be enqueued after retries; the client should send the request again. */
export class EnqueueError extends IngestError {
  readonly failed: readonly number[];
  constructor(failed: readonly number[], detail: string, options?: { cause?: unknown }) {
    super(503, `${failed.length} envelope(s) could not be enqueued (${detail}); send the request again`, options);
    this.name = "EnqueueError";
    this.failed = failed;
  }

  override toBody(): Record<string, unknown> {
    return { ...super.toBody(), failed: this.failed };
  }
}

/** A setting the function needs is missing or cannot be resolved; a deployment problem, not the client's. */
export class IngestSettingError extends Error {
  readonly setting: string;
  constructor(setting: string, reason: string, options?: { cause?: unknown }) {
    super(`ingest setting ${setting}: ${reason}`, options);
    this.name = "IngestSettingError";
    this.setting = setting;
  }
}
