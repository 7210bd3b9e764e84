/** Base class of state-store errors. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

/** The item a refused conditional write found in the table. */
export interface ConflictingItem<S = unknown> {
  readonly version: number;
  readonly data: S;
}

/**
 * A conditional write lost the race: someone else wrote the item since it
 * was read. `stored` is the item the write found, when the store returned it
 * (DynamoDB does with `ReturnValuesOnConditionCheckFailure: ALL_OLD`; an
 * emulator that ignores the parameter does not): a caller that retries folds
 * into it instead of reading again. `stored` is undefined both when the store
 * did not say and when there was no item; `storedAfterConflict` tells the two
 * apart with one read, and only when needed.
 */
export class VersionConflictError extends StoreError {
  readonly key: string;
  readonly expectedVersion: number | undefined;
  readonly stored: ConflictingItem | undefined;
  constructor(key: string, expectedVersion: number | undefined, options?: { cause?: unknown; stored?: ConflictingItem }) {
    super(`item ${key} changed since version ${expectedVersion ?? "(none)"} was read`, options);
    this.name = "VersionConflictError";
    this.key = key;
    this.expectedVersion = expectedVersion;
    this.stored = options?.stored;
  }
}
