/** Base class of receiver errors. */
export class ReceiverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReceiverError";
  }
}

/** A receiver failed in a way that will not change by retrying (bad URL, 4xx). */
export class PermanentReceiverError extends ReceiverError {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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
  readonly retryAfterSeconds: number;
  constructor(receiver: string, perMinute: number, retryAfterSeconds: number) {
    super(`receiver ${receiver} posted ${perMinute} times in the last minute (rateLimit.perMinute): waits ${retryAfterSeconds} s`);
    this.name = "ReceiverThrottledError";
    this.receiver = receiver;
    this.perMinute = perMinute;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** `registerReceiver` was called twice for one type. */
export class DuplicateReceiverTypeError extends ReceiverError {
  constructor(type: string) {
    super(`receiver type "${type}" is already registered`);
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
