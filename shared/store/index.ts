export { StoreError, VersionConflictError } from "./errors";
export { DynamoStateStore, type DynamoStateStoreOptions, type StateStore, type StoredItem } from "./dynamo";
export { ensureStateTable } from "./table";
