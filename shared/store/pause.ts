/**
 * "Not before" marks: a credential that hit a rate limit is paused for every
 * process, not only for the message that hit it. The mark lives in the state
 * table (one small item per credential, with a TTL) so that every Lambda
 * instance sees it; each process keeps a mark it has seen in memory until it
 * passes, so a paused credential costs no read at all. A free one costs one
 * GetItem, trusted for `ABSENCE_TRUSTED_MS`: a batch of messages for the
 * same credential reads it once, not once per write, and a pause another
 * process writes meanwhile reaches this one at most that much later (the
 * SCM refusing a request pauses it here at once anyway).
 *
 * Keys come from `StoreKey.pause` (`keys.ts`); through the receivers' view of
 * the table the item's key gets that view's `rcv#` prefix.
 */

/** What the marks need of the table: the receivers' key-value view satisfies it. */
export interface PauseTable {
  get(key: string): Promise<Record<string, unknown> | undefined>;
  put(key: string, value: Record<string, unknown>, options?: { ttlSeconds?: number }): Promise<void>;
}

/** How long a mark outlives its pause before DynamoDB may delete it; readers ignore a passed mark anyway. */
export const PAUSE_TTL_MARGIN_SECONDS = 300;

/** How long a read that found no pause is trusted. */
export const ABSENCE_TRUSTED_MS = 2_000;

/** Conditional writes lost to another writer of the same mark before giving up. */
const WRITE_ATTEMPTS = 2;

const untilOf = (item: Record<string, unknown> | undefined): number | undefined =>
  typeof item?.until === "number" && Number.isFinite(item.until) ? item.until : undefined;

export class PauseBoard {
  readonly #table: PauseTable;
  readonly #now: () => number;
  /** Marks seen or written by this process, by key: epoch milliseconds. */
  readonly #known = new Map<string, number>();
  /** Keys read and found free, by key: when that read was made (epoch milliseconds). */
  readonly #freeAt = new Map<string, number>();

  constructor(table: PauseTable, now: () => number = () => Date.now()) {
    this.#table = table;
    this.#now = now;
  }

  /** Epoch milliseconds before which `key` must not be used, or undefined when it is not paused. */
  async notBefore(key: string): Promise<number | undefined> {
    const now = this.#now();
    const known = this.#known.get(key);
    if (known !== undefined && known > now) return known;
    this.#known.delete(key);
    if (now - (this.#freeAt.get(key) ?? -Infinity) < ABSENCE_TRUSTED_MS) return undefined;
    const until = untilOf(await this.#table.get(key));
    if (until === undefined || until <= now) {
      this.#freeAt.set(key, now);
      return undefined;
    }
    this.#freeAt.delete(key);
    this.#known.set(key, until);
    return until;
  }

  /**
   * Pauses `key` until `until` (epoch milliseconds). A later mark already
   * there is kept: two answers of one SCM may name different waits, and the
   * longer one is the safe one.
   */
  async pause(key: string, until: number): Promise<void> {
    // This process honours the pause even if the write below fails.
    this.#freeAt.delete(key);
    if ((this.#known.get(key) ?? 0) < until) this.#known.set(key, until);
    for (let attempt = 1; ; attempt++) {
      const current = untilOf(await this.#table.get(key));
      if (current !== undefined && current >= until) {
        this.#known.set(key, current);
        return;
      }
      const ttlSeconds = Math.ceil((until - this.#now()) / 1000) + PAUSE_TTL_MARGIN_SECONDS;
      try {
        await this.#table.put(key, { until, pausedAt: new Date(this.#now()).toISOString() }, { ttlSeconds });
        return;
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }
}
