/** Base class of CommitStatus sync errors. */
export class CommitStatusError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CommitStatusError";
  }
}

/**
 * The resource or its GitRepo cannot be synced as it stands: reported in
 * `status.syncFailure`, not retried until the spec or the GitRepo changes.
 */
export class SyncBlockedError extends CommitStatusError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(path ? `${path}: ${reason}` : reason, options);
    this.name = "SyncBlockedError";
    this.path = path;
  }
}

/** The status write-back lost a race (409 Conflict): retried through the status channel. */
export class WriteBackConflictError extends CommitStatusError {
  constructor(resource: string, options?: { cause?: unknown }) {
    super(`status of ${resource} changed while it was being written (409 Conflict)`, options);
    this.name = "WriteBackConflictError";
  }
}
