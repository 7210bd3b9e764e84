import { Disposition, FeedbackError } from "../errors";

export interface ReceiverErrorOptions {
  readonly cause?: unknown;
  /** Default `retry`: a receiver that failed is tried again unless it says otherwise. */
  readonly disposition?: Disposition;
  /** Retry only: epoch milliseconds before which another try is pointless (a `Retry-After`). */
  readonly notBefore?: number;
  /** The clock reading `notBefore` was worked out from. */
  readonly now?: number;
}

/** Base class of receiver errors: retried unless a subclass or the caller says otherwise. */
export class ReceiverError extends FeedbackError {
  constructor(message: string, options?: ReceiverErrorOptions) {
    super(message, { ...options, disposition: options?.disposition ?? Disposition.Retry });
    this.name = "ReceiverError";
  }
}

/** A receiver failed in a way that will not change by retrying (bad URL, 4xx). */
export class PermanentReceiverError extends ReceiverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, disposition: Disposition.Permanent });
    this.name = "PermanentReceiverError";
  }
}

/**
 * The receiver's own `rateLimit` is used up for now: nothing was sent, and
 * the call is retried after `retryAfterSeconds`, when the window has room.
 */
export class ReceiverThrottledError extends ReceiverError {
  readonly receiver: string;
  readonly perMinute: number;
  constructor(receiver: string, perMinute: number, retryAfterSeconds: number, now: number = Date.now()) {
    super(`receiver ${receiver} posted ${perMinute} times in the last minute (rateLimit.perMinute): waits ${retryAfterSeconds} s`, {
      notBefore: now + retryAfterSeconds * 1000,
      now,
    });
    this.name = "ReceiverThrottledError";
    this.receiver = receiver;
    this.perMinute = perMinute;
  }
}

/**
 * What a request addressed is gone (a chat message deleted since it was
 * posted): the caller that asked `sendJson` to tell it (`gone`) acts on it,
 * by posting anew; anyone else sees a permanent failure.
 */
export class ReceiverTargetGoneError extends PermanentReceiverError {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = "ReceiverTargetGoneError";
    this.status = status;
  }
}

/** `registerReceiver` was called twice for one type. */
export class DuplicateReceiverTypeError extends ReceiverError {
  constructor(type: string) {
    super(`receiver type "${type}" is already registered`, { disposition: Disposition.Permanent });
    this.name = "DuplicateReceiverTypeError";
  }
}

/**
 * A receiver could not start (its secret cannot be read, its settings do not
 * fit together). Retryable: the secret may come back, and the receiver is
 * started again on a later call.
 */
export class ReceiverUnavailableError extends ReceiverError {
  readonly receiver: string;
  constructor(receiver: string, cause: Error) {
    // Receivers name themselves in their own messages; say it once.
    const reason = cause.message.startsWith(`receiver ${receiver}`) ? cause.message : `receiver ${receiver}: ${cause.message}`;
    super(`cannot start ${reason}`, { cause });
    this.name = "ReceiverUnavailableError";
    this.receiver = receiver;
  }
}
