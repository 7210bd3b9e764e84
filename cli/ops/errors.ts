/** Base class of the ops commands' errors. */
export class OpsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OpsError";
  }
}

/** A flag or setting is missing or malformed; names it and says why. Exit code 2. */
export class UsageError extends OpsError {
  readonly flag: string;
  constructor(flag: string, reason: string, options?: { cause?: unknown }) {
    super(`${flag}: ${reason}`, options);
    this.name = "UsageError";
    this.flag = flag;
  }
}

/** Some messages could not be moved back to the queue; they stay in the DLQ. Exit code 1. */
export class RedriveError extends OpsError {
  readonly failed: number;
  constructor(message: string, failed: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RedriveError";
    this.failed = failed;
  }
}
