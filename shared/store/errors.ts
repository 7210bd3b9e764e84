/** Base class of state-store errors. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

/** A conditional write lost the race: someone else wrote the item since it was read. */
export class VersionConflictError extends StoreError {
  readonly key: string;
  readonly expectedVersion: number | undefined;
  constructor(key: string, expectedVersion: number | undefined, options?: { cause?: unknown }) {
    super(`item ${key} changed since version ${expectedVersion ?? "(none)"} was read`, options);
    this.name = "VersionConflictError";
    this.key = key;
    this.expectedVersion = expectedVersion;
  }
}
