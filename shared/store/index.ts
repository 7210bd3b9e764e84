export { StoreError, VersionConflictError } from "./errors";
export { DynamoStateStore, type DynamoStateStoreOptions, type StateStore, type StoredItem } from "./dynamo";
export { PauseBoard, pauseKey, PAUSE_TTL_MARGIN_SECONDS, type PauseTable } from "./pause";
export { ensureStateTable } from "./table";
