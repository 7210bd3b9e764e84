import { Disposition, FeedbackError } from "../errors";

/** A message on the operations queue that is not a valid v1 operation: names the field and the reason. Never retried. */
export class InvalidOperationError extends FeedbackError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid operation: ${path ? `${path}: ` : ""}${reason}`, { ...options, disposition: Disposition.InvalidInput });
    this.name = "InvalidOperationError";
    this.path = path;
    this.reason = reason;
  }
}

/**
 * The process side has no operations queue for a cluster the config sends
 * through its relay (OPERATIONS_QUEUE_URL, OPERATIONS_QUEUE_URLS): nothing
 * can reach that cluster until the setting is fixed.
 */
export class OperationsQueueMissingError extends FeedbackError {
  readonly cluster: string;
  constructor(cluster: string, setting: string) {
    super(`no operations queue for cluster "${cluster}": set ${setting}`, { disposition: Disposition.Permanent });
    this.name = "OperationsQueueMissingError";
    this.cluster = cluster;
  }
}
