import { VersionConflictError, type StateStore, type StoredItem } from "../../shared/store";

/** One call the store received, in order: what a unit test asserts the fold's cost on. */
export interface StoreOperation {
  op: "get" | "put" | "setPaths";
  key: string;
  /** For a put: whether the conditional write was refused. */
  conflict?: boolean;
}

/** An in-memory StateStore for unit tests, with the same version checks as the DynamoDB one. */
export class MemoryStateStore implements StateStore {
  readonly items = new Map<string, { version: number; data: unknown }>();
  readonly counts = { reads: 0, writes: 0 };
  readonly operations: StoreOperation[] = [];

  async get<S>(key: string): Promise<StoredItem<S> | undefined> {
    this.counts.reads++;
    this.operations.push({ op: "get", key });
    const item = this.items.get(key);
    return item ? { version: item.version, data: structuredClone(item.data) as S } : undefined;
  }

  async put<S>(key: string, data: S, expectedVersion: number | undefined): Promise<number> {
    this.counts.writes++;
    const current = this.items.get(key);
    const conflict = current?.version !== expectedVersion;
    this.operations.push({ op: "put", key, conflict });
    if (conflict) throw new VersionConflictError(key, expectedVersion);
    const version = (current?.version ?? 0) + 1;
    this.items.set(key, { version, data: structuredClone(data) });
    return version;
  }

  async setPaths(key: string, assignments: ReadonlyArray<{ path: readonly string[]; value: unknown }>): Promise<StoredItem | undefined> {
    this.counts.writes++;
    this.operations.push({ op: "setPaths", key });
    const current = this.items.get(key);
    if (!current) throw new VersionConflictError(key, undefined);
    for (const { path, value } of assignments) {
      let node = current.data as Record<string, unknown>;
      for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
      node[path.at(-1)!] = structuredClone(value);
    }
    current.version++;
    return { version: current.version, data: structuredClone(current.data) as Record<string, unknown> };
  }
}
