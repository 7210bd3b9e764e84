/** Base class of relay errors. */
export class RelayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RelayError";
  }
}

/** SendMessageBatch kept failing for some entries after every retry. */
export class SinkDeliveryError extends RelayError {
  readonly failed: number;
  constructor(failed: number, detail: string, options?: { cause?: unknown }) {
    super(`${failed} envelope(s) could not be sent: ${detail}`, options);
    this.name = "SinkDeliveryError";
    this.failed = failed;
  }
}

/** The API server answered 410 Gone: the watch's resourceVersion is too old, re-list. */
export class WatchExpiredError extends RelayError {
  constructor(path: string) {
    super(`watch of ${path} expired (410 Gone)`);
    this.name = "WatchExpiredError";
  }
}

/** A watch entry the relay cannot serve. */
export class UnsupportedWatchError extends RelayError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedWatchError";
  }
}
