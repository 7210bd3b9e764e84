/** Base class of relay errors. */
export class RelayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RelayError";
  }
}

/**
 * A sink could not deliver a whole batch this time (network, throttling,
 * 5xx). The buffer retries it with backoff; it is never dropped.
 */
export class SinkDeliveryError extends RelayError {
  readonly failed: number;
  /** A server's own hint (Retry-After), when it gave one. */
  readonly retryAfterMs: number | undefined;
  constructor(failed: number, detail: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(`${failed} envelope(s) could not be sent: ${detail}`, options);
    this.name = "SinkDeliveryError";
    this.failed = failed;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The API server answered 410 Gone: the watch's resourceVersion is too old, re-list. */
export class WatchExpiredError extends RelayError {
  readonly resourceVersion: string | undefined;
  constructor(path: string, resourceVersion: string | undefined) {
    super(`watch of ${path} from resourceVersion ${resourceVersion ?? "(none)"} expired (410 Gone)`);
    this.name = "WatchExpiredError";
    this.resourceVersion = resourceVersion;
  }
}

/** A watch stream ended with an error, an ERROR event or no data for too long. */
export class WatchStreamError extends RelayError {
  readonly path: string;
  readonly statusCode: number | undefined;
  constructor(path: string, detail: string, options?: { cause?: unknown; statusCode?: number }) {
    super(`watch of ${path} failed: ${detail}`, options);
    this.name = "WatchStreamError";
    this.path = path;
    this.statusCode = options?.statusCode;
  }
}

/** A watcher failed too many times in a row and stopped; the process should restart. */
export class WatchGaveUpError extends RelayError {
  readonly path: string;
  readonly failures: number;
  constructor(path: string, failures: number, options?: { cause?: unknown }) {
    super(`gave up watching ${path} after ${failures} consecutive failures`, options);
    this.name = "WatchGaveUpError";
    this.path = path;
    this.failures = failures;
  }
}

/** A watch entry the relay cannot serve. */
export class UnsupportedWatchError extends RelayError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedWatchError";
  }
}

/** Leader-election timings that cannot work together, or a Lease request the elector cannot interpret. */
export class LeaderElectionError extends RelayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LeaderElectionError";
  }
}
