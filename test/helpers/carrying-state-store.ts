import { VersionConflictError, type StoredItem } from "../../shared/store";
import { MemoryStateStore } from "./memory-state-store";

/**
 * The memory store, with DynamoDB's answer to a refused conditional write
 * when `carriesItem` is set: the conflict carries the stored item (what
 * `ReturnValuesOnConditionCheckFailure: ALL_OLD` returns). Unset, it answers
 * as dynalite does: the conflict carries nothing and the caller must read.
 */
export class CarryingStateStore extends MemoryStateStore {
  readonly carriesItem: boolean;
  /** Conflicts the store answered, in order. */
  readonly conflicts: VersionConflictError[] = [];
  readonly #races = new Map<string, unknown>();

  constructor(options: { carriesItem: boolean }) {
    super();
    this.carriesItem = options.carriesItem;
  }

  /** Stores an item as another writer would, bumping its version; returns the new version. */
  writeAsOther<S>(key: string, data: S): number {
    const version = (this.items.get(key)?.version ?? 0) + 1;
    this.items.set(key, { version, data: structuredClone(data) });
    return version;
  }

  /** Makes another writer store `data` under `key` right after the next read of it: a race the reader loses. */
  raceAfterRead(key: string, data: unknown): void {
    this.#races.set(key, data);
  }

  override async get<S>(key: string): Promise<StoredItem<S> | undefined> {
    const item = await super.get<S>(key);
    if (this.#races.has(key)) {
      this.writeAsOther(key, this.#races.get(key));
      this.#races.delete(key);
    }
    return item;
  }

  override async put<S>(key: string, data: S, expectedVersion: number | undefined): Promise<number> {
    try {
      return await super.put(key, data, expectedVersion);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const current = this.items.get(key);
      const stored = this.carriesItem && current ? { version: current.version, data: structuredClone(current.data) } : undefined;
      const conflict = new VersionConflictError(key, expectedVersion, { cause: error, stored });
      this.conflicts.push(conflict);
      throw conflict;
    }
  }

  /** Reads the store received (the handler's own and any after a conflict). */
  reads(): number {
    return this.operations.filter((o) => o.op === "get").length;
  }
}
