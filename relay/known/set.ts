import type { EnvelopeType, KubeObject } from "../../shared/envelope";
import { holds, pack, unpack, type Packed } from "./codec";
import { objectOf, tombstoneOf, type Tombstone } from "./tombstone";

/** Where the relay's buffer stands: the envelope taken last, and how far delivery got. */
export interface DeliveryCursor {
  lastSeq(): number;
  deliveredThrough(): number;
}

interface Leaving {
  packed: Packed;
  /** The envelope that made the set forget the object (its DELETED, or its final state). */
  seq: number;
}

/**
 * tombstoneOf, or what it is for this very object, made from the slimmed
 * copy and JSON of its envelope: the relay slims and serialises each event
 * once (envelopes.ts).
 */
export type Tombstoner = (object: KubeObject) => Tombstone | undefined;

/** Counts changes of what would be persisted, so a save knows whether it has anything new. */
export class ChangeCounter {
  value = 0;
}

/**
 * The objects of one watch target that a DELETED would still change
 * (tombstone.ts), by uid. The watcher tells it every event the consumer took
 * and asks it, after a complete re-list, which remembered objects the list no
 * longer has: those were deleted while nobody watched.
 *
 * An object forgotten because its DELETED or final state was taken stays on
 * the persisted copy ("leaving") until the buffer has delivered that
 * envelope: a relay that dies with it still buffered reports the object
 * after its restart instead of losing it.
 */
export class KnownSet {
  readonly #entries = new Map<string, Packed>();
  readonly #leaving = new Map<string, Leaving>();
  readonly #cursor: DeliveryCursor;
  readonly #changes: ChangeCounter;
  readonly #tombstone: Tombstoner;

  constructor(cursor: DeliveryCursor, changes: ChangeCounter, restored: Iterable<[string, Tombstone]> = [], tombstone: Tombstoner = tombstoneOf) {
    this.#cursor = cursor;
    this.#tombstone = tombstone;
    this.#changes = changes;
    for (const [uid, tombstone] of restored) this.#entries.set(uid, pack(tombstone));
  }

  /** Objects remembered (leaving ones not counted). */
  get size(): number {
    return this.#entries.size;
  }

  has(uid: string): boolean {
    return this.#entries.has(uid);
  }

  /** Called once the consumer took the event: remembers, updates or forgets the object. */
  observe(type: EnvelopeType, object: KubeObject): void {
    const uid = object.metadata?.uid;
    if (!uid) return;
    const tombstone = type === "DELETED" ? undefined : this.#tombstone(object);
    if (tombstone === undefined) return this.#forget(uid);
    this.#leaving.delete(uid);
    const known = this.#entries.get(uid);
    if (known !== undefined && holds(known, tombstone)) return;
    this.#entries.set(uid, pack(tombstone));
    this.#changes.value++;
  }

  /**
   * The objects a complete list no longer has, as the DELETED envelopes
   * should carry them. A snapshot: the caller may observe while it iterates.
   */
  vanished(listed: ReadonlySet<string>): KubeObject[] {
    const gone: KubeObject[] = [];
    for (const [uid, packed] of this.#entries) if (!listed.has(uid)) gone.push(objectOf(unpack(packed)));
    return gone;
  }

  /** Drops leaving entries whose envelope was delivered; true when any was. */
  settle(): boolean {
    const through = this.#cursor.deliveredThrough();
    let settled = false;
    // In the order they left, which is their envelopes' order (#forget appends at the buffer's last seq): the first not yet delivered ends the walk.
    for (const [uid, leaving] of this.#leaving) {
      if (leaving.seq > through) break;
      this.#leaving.delete(uid);
      settled = true;
    }
    if (settled) this.#changes.value++;
    return settled;
  }

  /** What a restarted relay must still know: remembered and leaving entries, oldest first. */
  *persisted(): Iterable<Tombstone> {
    for (const packed of this.#entries.values()) yield unpack(packed);
    for (const leaving of this.#leaving.values()) yield unpack(leaving.packed);
  }

  #forget(uid: string): void {
    const packed = this.#entries.get(uid);
    if (packed === undefined) return;
    this.#entries.delete(uid);
    // Without a persister nobody else settles; the leaving entries are at most the buffer's envelopes.
    this.settle();
    // Taken by the consumer just now, so it is the buffer's last envelope.
    this.#leaving.set(uid, { packed, seq: this.#cursor.lastSeq() });
  }
}
