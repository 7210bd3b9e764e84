import { Disposition, FeedbackError } from "../errors";

/** Base class of CommitStatus sync errors: retried unless a subclass says otherwise. */
export class CommitStatusError extends FeedbackError {
  constructor(message: string, options?: { cause?: unknown; disposition?: Disposition }) {
    super(message, { ...options, disposition: options?.disposition ?? Disposition.Retry });
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
    super(path ? `${path}: ${reason}` : reason, { ...options, disposition: Disposition.InvalidInput });
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

/**
 * A GitRepo of a cluster reached `via: relay` that the process side does
 * not know yet: its relay was asked to send it, and the event waits for it
 * until `notBefore` instead of failing.
 */
export class GitRepoPendingError extends FeedbackError {
  readonly gitRepo: string;
  constructor(gitRepo: string, notBefore: number, now?: number) {
    super(`GitRepo ${gitRepo} is not known yet: its relay was asked to send it`, {
      disposition: Disposition.Retry,
      notBefore,
      ...(now === undefined ? {} : { now }),
    });
    this.name = "GitRepoPendingError";
    this.gitRepo = gitRepo;
  }
}
