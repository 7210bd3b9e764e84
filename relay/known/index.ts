/** Objects deleted while the relay was not watching: what it remembers, and where it keeps that between processes. */
export { KnownObjects, UnreadableSnapshotError, type EncodedSnapshot, type RestoreSummary } from "./objects";
export { KnownPersister, type KnownPersisterOptions } from "./persister";
export { KnownSet, type DeliveryCursor } from "./set";
export { CONFIGMAP_SNAPSHOT_LIMIT, ConfigMapKnownStore, SNAPSHOT_KEY, type KnownStore } from "./store";
export { objectOf, tombstoneBody, tombstoneOf, type Tombstone } from "./tombstone";
