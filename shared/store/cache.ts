import { LRUCache } from "lru-cache";
import { VersionConflictError } from "./errors";
import type { StateStore, StoredItem } from "./dynamo";
import { KeyPrefix } from "./keys";

/**
 * The process function's run items, remembered between invocations of one
 * warm instance: the next event of a run that this instance handled last
 * needs no read, because the item is the one it wrote (every write here
 * returns the item as stored).
 *
 * A remembered item can only be older than the table's, never ahead of it:
 * versions only grow, and an item is remembered only from a store's answer.
 * Every decision that changes anything is a write conditional on the
 * version, so an item another instance (or the resync path) wrote since is
 * a refused write that carries the current item, and the fold runs again on
 * it. What an older item makes the fold decide without writing is safe too,
 * because a run's events are handled one at a time (its FIFO message group)
 * so no other instance changes the item meanwhile: an event it judges stale
 * or already told is stale or told in every later version of the run, and
 * the one decision that waits on the item, a claim still in flight, is
 * checked on the table first (`forget`, pipeline-handler.ts).
 *
 * What a stale item costs is the refused write: on DynamoDB a refused
 * conditional write consumes its write unit, five times a read's price. So
 * the cache watches itself: when more than `maxStaleShare` of the writes it
 * answered for were refused (events of a run spread over many instances),
 * it stops answering for `distrustMs` and the store is read as before.
 *
 * Only run items (`obj#`) are kept. The receivers' memory, pause marks and
 * the last finish of a pipeline are read by decisions that do not write, so
 * they are always read from the table. Keeping records for a while in the
 * instance is what Powertools' idempotency offers as `useLocalCache`
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/);
 * the bounds here (size and age) are lru-cache's.
 */
export interface CachedStoreOptions {
  /** Items kept; the least recently used go first. */
  maxItems?: number;
  /** An item older than this is read again: well inside the table's TTL, so an expired item is never served. */
  maxAgeMs?: number;
  /** Writes answered from the cache that must be seen before the share of refused ones is judged. */
  judgeAfter?: number;
  maxStaleShare?: number;
  distrustMs?: number;
  now?: () => number;
}

/** What the cache answered and what that cost; for the bench and the tests. */
export interface CacheTally {
  hits: number;
  misses: number;
  /** Writes made on an item the cache answered with that the table refused. */
  stale: number;
  /** Times the cache stopped answering because too many of its items were stale. */
  distrusted: number;
}

const DEFAULTS = { maxItems: 2_000, maxAgeMs: 10 * 60_000, judgeAfter: 50, maxStaleShare: 0.2, distrustMs: 10 * 60_000 } as const;

const isRunItem = (key: string): boolean => key.startsWith(KeyPrefix.object);

interface Kept {
  version: number;
  json: string;
  /** This copy answered a get: a write on its version that is refused counts as a stale answer. */
  answered?: boolean;
}

export class CachedStateStore implements StateStore {
  readonly #inner: StateStore;
  /** Each item as JSON: what a read returns is a copy of its own, as a fresh read is, and holds no reference a caller kept. */
  readonly #items: LRUCache<string, Kept>;
  readonly #options: Required<Omit<CachedStoreOptions, "now">>;
  readonly #now: () => number;
  #judged = { writes: 0, stale: 0 };
  #distrustedUntil = 0;
  readonly tally: CacheTally = { hits: 0, misses: 0, stale: 0, distrusted: 0 };

  constructor(inner: StateStore, options: CachedStoreOptions = {}) {
    this.#inner = inner;
    const { now, ...rest } = options;
    this.#options = { ...DEFAULTS, ...rest };
    this.#now = now ?? Date.now;
    // ttlResolution 0: the age is read from the clock at every look, not from a copy of it lru-cache keeps for a millisecond.
    this.#items = new LRUCache<string, Kept>({ max: this.#options.maxItems, ttl: this.#options.maxAgeMs, ttlResolution: 0, perf: { now: this.#now } });
  }

  async get<S>(key: string): Promise<StoredItem<S> | undefined> {
    if (!isRunItem(key)) return this.#inner.get<S>(key);
    const kept = this.#now() >= this.#distrustedUntil ? this.#items.get(key) : undefined;
    if (kept) {
      this.tally.hits++;
      kept.answered = true;
      return { version: kept.version, data: JSON.parse(kept.json) as S };
    }
    this.tally.misses++;
    const item = await this.#inner.get<S>(key);
    this.#keep(key, item);
    return item;
  }

  async put<S>(key: string, data: S, expectedVersion: number | undefined, ttlSeconds: number): Promise<number> {
    if (!isRunItem(key)) return this.#inner.put(key, data, expectedVersion, ttlSeconds);
    const kept = this.#items.peek(key);
    const answered = kept?.answered ? kept.version : undefined;
    try {
      const version = await this.#inner.put(key, data, expectedVersion, ttlSeconds);
      if (answered !== undefined) this.#judge(false);
      this.#keep(key, { version, data });
      return version;
    } catch (error) {
      if (error instanceof VersionConflictError) {
        if (answered !== undefined && answered === expectedVersion) this.#judge(true);
        // The item the refusal carries is the table's; without one, the next get reads.
        if (error.stored) this.#keep(key, { version: error.stored.version, data: error.stored.data as S });
        else this.#items.delete(key);
      } else {
        // The write may or may not have been made: only the table can say.
        this.#items.delete(key);
      }
      throw error;
    }
  }

  async setPaths(key: string, assignments: ReadonlyArray<{ path: readonly string[]; value: unknown }>): Promise<StoredItem | undefined> {
    // Nothing to set is no write: the item kept is still the table's.
    if (!isRunItem(key) || assignments.length === 0) return this.#inner.setPaths(key, assignments);
    try {
      const item = await this.#inner.setPaths(key, assignments);
      this.#keep(key, item);
      return item;
    } catch (error) {
      this.#items.delete(key);
      throw error;
    }
  }

  /** Drops the copy kept of `key`, so that the next get reads the table; true when there was one. */
  forget(key: string): boolean {
    return this.#items.delete(key);
  }

  #keep(key: string, item: StoredItem<unknown> | undefined): void {
    // JSON, as the table holds it: the document client drops undefined values too (removeUndefinedValues).
    if (item) this.#items.set(key, { version: item.version, json: JSON.stringify(item.data) });
    else this.#items.delete(key);
  }

  /** Counts a write made on a cached item; too many refused ones and the cache stops answering for a while. */
  #judge(stale: boolean): void {
    this.#judged.writes++;
    if (stale) {
      this.#judged.stale++;
      this.tally.stale++;
    }
    if (this.#judged.writes < this.#options.judgeAfter) return;
    if (this.#judged.stale / this.#judged.writes > this.#options.maxStaleShare) {
      this.#distrustedUntil = this.#now() + this.#options.distrustMs;
      this.#items.clear();
      this.tally.distrusted++;
    }
    this.#judged = { writes: 0, stale: 0 };
  }
}
