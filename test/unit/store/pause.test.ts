import { describe, expect, it } from "vitest";
import { ABSENCE_TRUSTED_MS, PAUSE_TTL_MARGIN_SECONDS, PauseBoard, StoreKey, VersionConflictError, type PauseTable } from "../../../shared/store";

const NOW = 1_700_000_000_000;
const KEY = StoreKey.pause("GitHub.com", "token-0123456789abcdef");

/** The receivers' key-value view of the table, counting reads and writes and keeping each write's TTL. */
class CountingTable implements PauseTable {
  readonly items = new Map<string, Record<string, unknown>>();
  readonly ttls = new Map<string, number | undefined>();
  readonly counts = { reads: 0, writes: 0 };
  conflicts = 0;
  async get(key: string) {
    this.counts.reads++;
    return structuredClone(this.items.get(key));
  }
  async put(key: string, value: Record<string, unknown>, options?: { ttlSeconds?: number }) {
    this.counts.writes++;
    if (this.conflicts > 0) {
      this.conflicts--;
      throw new VersionConflictError(key, 1);
    }
    this.items.set(key, structuredClone(value));
    this.ttls.set(key, options?.ttlSeconds);
  }
}

const clock = () => {
  let now = NOW;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

describe("Class: PauseBoard", () => {
  describe("Method: notBefore", () => {
    it("returns undefined after one read when no mark is there, trusts that for a short while, then reads again", async () => {
      // Prepare
      const table = new CountingTable();
      const time = clock();
      const board = new PauseBoard(table, time.now);

      // Act
      const seen = [await board.notBefore(KEY)];
      time.advance(ABSENCE_TRUSTED_MS - 1);
      seen.push(await board.notBefore(KEY));
      const readsWhileTrusted = table.counts.reads;
      table.items.set(KEY, { until: NOW + 60_000 });
      time.advance(1);
      seen.push(await board.notBefore(KEY));

      // Assess
      expect(seen).toEqual([undefined, undefined, NOW + 60_000]);
      expect(readsWhileTrusted).toBe(1);
      expect(table.counts).toEqual({ reads: 2, writes: 0 });
    });

    it("returns a mark another process wrote after one read, then from memory until it passes", async () => {
      // Prepare
      const table = new CountingTable();
      const time = clock();
      const board = new PauseBoard(table, time.now);
      table.items.set(KEY, { until: NOW + 8_000 });

      // Act
      const seen = [await board.notBefore(KEY), await board.notBefore(KEY)];
      time.advance(7_999);
      seen.push(await board.notBefore(KEY));
      const readsWhilePaused = table.counts.reads;
      time.advance(1);
      seen.push(await board.notBefore(KEY));

      // Assess
      expect(seen).toEqual([NOW + 8_000, NOW + 8_000, NOW + 8_000, undefined]);
      expect(readsWhilePaused).toBe(1);
      expect(table.counts.reads).toBe(2);
    });
  });

  describe("Method: pause", () => {
    it("writes the mark with a TTL a little past its end, and honours it without reading", async () => {
      // Prepare
      const table = new CountingTable();
      const board = new PauseBoard(table, clock().now);

      // Act
      await board.pause(KEY, NOW + 8_000);
      const reads = table.counts.reads;
      const until = await board.notBefore(KEY);

      // Assess
      expect(table.items.get(KEY)).toMatchObject({ until: NOW + 8_000 });
      expect(table.ttls.get(KEY)).toBe(8 + PAUSE_TTL_MARGIN_SECONDS);
      expect(until).toBe(NOW + 8_000);
      expect(table.counts.reads).toBe(reads);
    });

    it("keeps a later mark already there and takes it as its own", async () => {
      // Prepare
      const table = new CountingTable();
      const board = new PauseBoard(table, clock().now);
      table.items.set(KEY, { until: NOW + 60_000 });

      // Act
      await board.pause(KEY, NOW + 8_000);

      // Assess
      expect(table.items.get(KEY)).toEqual({ until: NOW + 60_000 });
      expect(table.counts.writes).toBe(0);
      expect(await board.notBefore(KEY)).toBe(NOW + 60_000);
    });

    it("writes again after losing a race to another writer, and throws after losing twice", async () => {
      // Prepare
      const table = new CountingTable();
      const board = new PauseBoard(table, clock().now);
      table.conflicts = 1;

      // Act
      await board.pause(KEY, NOW + 8_000);
      table.conflicts = 2;
      const error = await board.pause(KEY, NOW + 9_000).catch((e: unknown) => e);

      // Assess
      expect(table.items.get(KEY)).toMatchObject({ until: NOW + 8_000 });
      expect(error).toBeInstanceOf(VersionConflictError);
      // The process that hit the limit honours it all the same.
      expect(await board.notBefore(KEY)).toBe(NOW + 9_000);
    });
  });
});
