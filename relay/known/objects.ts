import { gunzipSync, gzipSync } from "node:zlib";
import { ChangeCounter, KnownSet, type DeliveryCursor, type Tombstoner } from "./set";
import { uidOf, type Tombstone } from "./tombstone";

/** The persisted form, before compression: `{"v":1,"targets":{"<target key>":[<tombstone>,…]}}`. */
const VERSION = 1;

export interface EncodedSnapshot {
  /** gzip of the JSON snapshot. */
  payload: Buffer;
  /** Entries in the payload. */
  saved: number;
  /** Entries there were: more than `saved` when the payload had to be cut to fit. */
  total: number;
}

export interface RestoreSummary {
  entries: number;
  targets: number;
}

/** A snapshot that cannot be read back: it is ignored, the relay starts with an empty set. */
export class UnreadableSnapshotError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`known-object snapshot is unreadable: ${detail}`, options);
    this.name = "UnreadableSnapshotError";
  }
}

/**
 * The known-object sets of every watch target of one relay term, and their
 * persisted form. A snapshot keyed by target (targetKey) is restored before
 * the watchers start; entries of targets no longer configured are dropped
 * without a DELETED: nobody watches them, so their absence means nothing.
 */
export class KnownObjects {
  readonly #cursor: DeliveryCursor;
  readonly #changes = new ChangeCounter();
  readonly #sets = new Map<string, KnownSet>();
  readonly #tombstone: Tombstoner | undefined;
  #restored = new Map<string, Array<[string, Tombstone]>>();

  constructor(cursor: DeliveryCursor, tombstone?: Tombstoner) {
    this.#cursor = cursor;
    this.#tombstone = tombstone;
  }

  /** The set of one target, with whatever the restored snapshot held for it. */
  forTarget(key: string): KnownSet {
    let set = this.#sets.get(key);
    if (!set) {
      set = new KnownSet(this.#cursor, this.#changes, this.#restored.get(key) ?? [], this.#tombstone);
      this.#restored.delete(key);
      this.#sets.set(key, set);
    }
    return set;
  }

  /** Objects remembered across all targets. */
  get size(): number {
    let size = 0;
    for (const set of this.#sets.values()) size += set.size;
    return size;
  }

  /** Grows with every change of what would be persisted. */
  get changes(): number {
    return this.#changes.value;
  }

  /** Restored entries whose target is not (yet) watched. */
  get orphaned(): number {
    let count = 0;
    for (const entries of this.#restored.values()) count += entries.length;
    return count;
  }

  /** Drops leaving entries whose envelopes were delivered. */
  settle(): void {
    for (const set of this.#sets.values()) set.settle();
  }

  /** Reads a payload `encode` wrote; call before the first `forTarget`. */
  restore(payload: Buffer): RestoreSummary {
    let parsed: unknown;
    try {
      parsed = JSON.parse(gunzipSync(payload).toString("utf8"));
    } catch (cause) {
      throw new UnreadableSnapshotError((cause as Error).message, { cause });
    }
    const snapshot = parsed as { v?: unknown; targets?: unknown } | null;
    if (snapshot?.v !== VERSION) throw new UnreadableSnapshotError(`version ${JSON.stringify(snapshot?.v)}, expected ${VERSION}`);
    if (typeof snapshot.targets !== "object" || snapshot.targets === null) throw new UnreadableSnapshotError("no targets");
    const restored = new Map<string, Array<[string, Tombstone]>>();
    let entries = 0;
    for (const [key, list] of Object.entries(snapshot.targets)) {
      if (!Array.isArray(list)) continue;
      const pairs: Array<[string, Tombstone]> = [];
      for (const entry of list) {
        const uid = uidOf(entry);
        if (uid !== undefined) pairs.push([uid, JSON.stringify(entry)]);
      }
      restored.set(key, pairs);
      entries += pairs.length;
    }
    this.#restored = restored;
    return { entries, targets: restored.size };
  }

  /**
   * The gzip'd snapshot of every watched target, at most `maxBytes`. When
   * all entries do not fit, the same share of each target's oldest entries
   * is kept (`saved` < `total`): those left out are still reported after a
   * 410 re-list, only not after a restart.
   */
  encode(maxBytes: number): EncodedSnapshot {
    const targets = [...this.#sets].map(([key, set]) => [key, [...set.persisted()]] as const);
    const total = targets.reduce((sum, [, list]) => sum + list.length, 0);
    let share = 1;
    for (let attempt = 0; attempt < 8; attempt++) {
      const kept = targets.map(([key, list]) => [key, share === 1 ? list : list.slice(0, Math.floor(list.length * share))] as const);
      // Tombstones are JSON already: joined, not serialised again.
      const body = kept.map(([key, list]) => `${JSON.stringify(key)}:[${list.join(",")}]`).join(",");
      const payload = gzipSync(`{"v":${VERSION},"targets":{${body}}}`);
      const saved = kept.reduce((sum, [, list]) => sum + list.length, 0);
      if (payload.length <= maxBytes || saved === 0) return { payload, saved, total };
      share *= (maxBytes / payload.length) * 0.9;
    }
    return { payload: gzipSync(`{"v":${VERSION},"targets":{}}`), saved: 0, total };
  }
}
