export { CachedStateStore, type CachedStoreOptions, type CacheTally } from "./cache";
export { StoreError, VersionConflictError, type ConflictingItem } from "./errors";
export { DynamoStateStore, storedAfterConflict, type DynamoStateStoreOptions, type StateStore, type StoredItem } from "./dynamo";
export { KeyPrefix, prefixOf, StoreKey } from "./keys";
export { ABSENCE_TRUSTED_MS, PauseBoard, PAUSE_TTL_MARGIN_SECONDS, type PauseTable } from "./pause";
export { ensureStateTable } from "./table";
