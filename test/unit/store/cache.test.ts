import { describe, expect, it } from "vitest";
import { CachedStateStore, StoreKey, VersionConflictError, type CachedStoreOptions } from "../../../shared/store";
import { CarryingStateStore } from "../../helpers/carrying-state-store";

const RUN = StoreKey.object("unit", "run-1");
const TTL = 86_400;

const setup = (options: { carriesItem?: boolean } & CachedStoreOptions = {}) => {
  const { carriesItem = true, ...cacheOptions } = options;
  const table = new CarryingStateStore({ carriesItem });
  let now = 1_000_000;
  const cache = new CachedStateStore(table, { now: () => now, ...cacheOptions });
  const reads = () => table.reads();
  return { table, cache, reads, advance: (ms: number) => (now += ms) };
};

/** Writes the run item through the cache and sets one path, as the pipeline handler's claim and record do. */
const claimAndRecord = async (cache: CachedStateStore, phase: string) => {
  const item = await cache.get<{ run: { phase: string; d?: string } }>(RUN);
  const version = await cache.put(RUN, { run: { phase } }, item?.version, TTL);
  await cache.setPaths(RUN, [{ path: ["run", "d"], value: `told ${phase}` }]);
  return version;
};

describe("Class: CachedStateStore", () => {
  describe("Method: get", () => {
    it("answers a run item it wrote and recorded without reading the table, as the table holds it", async () => {
      // Prepare
      const { table, cache, reads } = setup();
      await claimAndRecord(cache, "Running");
      const readsBefore = reads();

      // Act
      const item = await cache.get(RUN);

      // Assess
      expect(reads()).toBe(readsBefore);
      expect(item).toEqual({ version: table.items.get(RUN)!.version, data: table.items.get(RUN)!.data });
      expect(item?.data).toEqual({ run: { phase: "Running", d: "told Running" } });
    });

    it("gives each caller a copy of its own", async () => {
      // Prepare
      const { cache } = setup();
      await claimAndRecord(cache, "Running");
      const first = await cache.get<{ run: { phase: string } }>(RUN);

      // Act
      first!.data.run.phase = "changed by a caller";

      // Assess
      expect((await cache.get<{ run: { phase: string } }>(RUN))?.data.run.phase).toBe("Running");
    });

    it("always reads items other than a run's: receivers' memory and a pipeline's last finish", async () => {
      // Prepare
      const { cache, reads } = setup();
      const keys = [StoreKey.receiver("scm/github/deployment/o/r/prod/uid"), "fin#0123"];
      for (const key of keys) await cache.put(key, { seen: true }, undefined, TTL);

      // Act
      for (const key of keys) await cache.get(key);

      // Assess
      expect(reads()).toBe(keys.length);
    });

    it("reads again once an item is older than maxAgeMs", async () => {
      // Prepare
      const { cache, reads, advance } = setup({ maxAgeMs: 60_000 });
      await claimAndRecord(cache, "Running");
      const readsBefore = reads();

      // Act
      advance(60_001);
      await cache.get(RUN);

      // Assess
      expect(reads()).toBe(readsBefore + 1);
    });

    it("keeps the item when a record has nothing to set", async () => {
      // Prepare
      const { cache, reads } = setup();
      await claimAndRecord(cache, "Running");
      const readsBefore = reads();

      // Act
      await cache.setPaths(RUN, []);
      await cache.get(RUN);

      // Assess
      expect(reads()).toBe(readsBefore);
    });
  });

  describe("Method: setPaths", () => {
    it("forgets the item when the record fails, whether or not the table took it", async () => {
      // Prepare
      const { table, cache, reads } = setup();
      const item = await cache.get(RUN);
      await cache.put(RUN, { run: { phase: "Running" } }, item?.version, TTL);
      const setPaths = table.setPaths.bind(table);
      table.setPaths = async () => {
        throw new Error("socket hang up");
      };
      await expect(cache.setPaths(RUN, [{ path: ["run", "d"], value: "told" }])).rejects.toThrow("socket hang up");
      table.setPaths = setPaths;
      const readsBefore = reads();

      // Act
      await cache.get(RUN);

      // Assess
      expect(reads()).toBe(readsBefore + 1);
    });
  });

  describe("Method: forget", () => {
    it("drops the copy kept, so that the next get reads the table, and says whether there was one", async () => {
      // Prepare
      const { cache, reads } = setup();
      await claimAndRecord(cache, "Running");
      const readsBefore = reads();

      // Act
      const dropped = cache.forget(RUN);
      const again = cache.forget(RUN);
      await cache.get(RUN);

      // Assess
      expect([dropped, again]).toEqual([true, false]);
      expect(reads()).toBe(readsBefore + 1);
    });
  });

  describe("Method: put", () => {
    it("refuses a write on an item another writer changed since, and answers with the item the refusal carried", async () => {
      // Prepare
      const { table, cache, reads } = setup({ carriesItem: true });
      await claimAndRecord(cache, "Running");
      table.writeAsOther(RUN, { run: { phase: "Succeeded" } });
      const stale = await cache.get(RUN);

      // Act
      const refused = cache.put(RUN, { run: { phase: "Running again" } }, stale!.version, TTL);

      // Assess
      await expect(refused).rejects.toBeInstanceOf(VersionConflictError);
      const readsBefore = reads();
      expect((await cache.get(RUN))?.data).toEqual({ run: { phase: "Succeeded" } });
      expect(reads()).toBe(readsBefore);
      expect(cache.tally.stale).toBe(1);
    });

    it("reads the table after a refusal that carried no item (an emulator ignoring ALL_OLD)", async () => {
      // Prepare
      const { table, cache, reads } = setup({ carriesItem: false });
      await claimAndRecord(cache, "Running");
      table.writeAsOther(RUN, { run: { phase: "Failed" } });
      const stale = await cache.get(RUN);
      await expect(cache.put(RUN, { run: { phase: "x" } }, stale!.version, TTL)).rejects.toBeInstanceOf(VersionConflictError);
      const readsBefore = reads();

      // Act
      const item = await cache.get(RUN);

      // Assess
      expect(reads()).toBe(readsBefore + 1);
      expect(item?.data).toEqual({ run: { phase: "Failed" } });
    });

    it("forgets an item whose write failed for another reason: only the table knows whether it was made", async () => {
      // Prepare
      const { table, cache, reads } = setup();
      await claimAndRecord(cache, "Running");
      const item = await cache.get(RUN);
      const put = table.put.bind(table);
      table.put = async () => {
        throw new Error("socket hang up");
      };
      await expect(cache.put(RUN, { run: { phase: "Succeeded" } }, item!.version, TTL)).rejects.toThrow("socket hang up");
      table.put = put;
      const readsBefore = reads();

      // Act
      await cache.get(RUN);

      // Assess
      expect(reads()).toBe(readsBefore + 1);
    });

    it("stops answering for distrustMs when more than maxStaleShare of the writes it answered for were refused", async () => {
      // Prepare: four runs whose every other write finds an item another instance wrote
      const { table, cache, reads, advance } = setup({ judgeAfter: 4, maxStaleShare: 0.25, distrustMs: 60_000 });
      const keys = [1, 2, 3, 4].map((n) => StoreKey.object("unit", `run-${n}`));
      for (const key of keys) await cache.put(key, { n: 0 }, undefined, TTL);
      for (const [i, key] of keys.entries()) {
        if (i % 2 === 0) table.writeAsOther(key, { n: "other" });
        const item = await cache.get(key);
        await cache.put(key, { n: 1 }, item!.version, TTL).catch(() => undefined);
      }
      expect(cache.tally).toMatchObject({ stale: 2, distrusted: 1 });
      const readsBefore = reads();

      // Act
      await cache.get(keys[1]!);
      advance(60_001);
      await cache.put(keys[1]!, { n: 2 }, (await table.get(keys[1]!))!.version, TTL);
      const readsAfterDistrust = reads();
      await cache.get(keys[1]!);

      // Assess: read while distrusted, answered again once the time is over
      expect(readsAfterDistrust).toBe(readsBefore + 2);
      expect(reads()).toBe(readsAfterDistrust);
    });

    it("keeps answering when refusals stay below maxStaleShare", async () => {
      // Prepare
      const { table, cache } = setup({ judgeAfter: 4, maxStaleShare: 0.25 });
      const keys = [1, 2, 3, 4].map((n) => StoreKey.object("unit", `run-${n}`));
      for (const key of keys) await cache.put(key, { n: 0 }, undefined, TTL);

      // Act
      for (const [i, key] of keys.entries()) {
        if (i === 0) table.writeAsOther(key, { n: "other" });
        const item = await cache.get(key);
        await cache.put(key, { n: 1 }, item!.version, TTL).catch(() => undefined);
      }

      // Assess
      expect(cache.tally).toMatchObject({ stale: 1, distrusted: 0 });
    });
  });
});
