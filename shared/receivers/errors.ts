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

/** `registerReceiver` was called twice for one type. */
export class DuplicateReceiverTypeError extends ReceiverError {
  constructor(type: string) {
    super(`receiver type "${type}" is already registered`);
    this.name = "DuplicateReceiverTypeError";
  }
}
