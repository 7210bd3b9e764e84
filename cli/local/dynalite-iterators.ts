import { createRequire } from "node:module";

interface ClosableIterator {
  close(): Promise<void>;
  return?: () => Promise<IteratorResult<never, undefined>>;
}

type IteratorClass = { prototype: ClosableIterator };

/**
 * Makes dynalite close the storage iterators behind Scan and Query.
 *
 * dynalite 4.0.0 reads a table through a stream whose `destroy` calls
 * `iterator.return()` (db/index.js, `createValueStream`), but the
 * abstract-level 3 iterators under its memory-level store have no `return`:
 * they close with `close()`. So no Scan or Query iterator is ever closed, and
 * abstract-level keeps every open iterator attached to the database (to close
 * it with the database), together with the memory-level tree it was reading.
 * Each Scan then pins the whole table as it was at that moment: deleted items
 * are never freed, and a TTL sweeper, which has to Scan to find expired
 * items, would free nothing (measured: 5,000 items of 3 KB swept four times,
 * memory grew as if nothing were deleted).
 *
 * The fix gives those iterators the `return` dynalite calls, closing them.
 * The classes are taken from the copies of abstract-level that dynalite's own
 * stores load: memory-level, and classic-level (LevelDB on disk, used with
 * `--state-dir`, where an iterator left open also pins a LevelDB snapshot),
 * so the patch reaches the iterators dynalite creates. A version of
 * abstract-level that has `return` itself is left alone.
 */
export const closeDynaliteIterators = (): void => {
  const fromHere = createRequire(import.meta.url);
  const fromDynalite = createRequire(fromHere.resolve("dynalite"));
  const fromLevel = createRequire(fromDynalite.resolve("level"));
  const copies = new Set(
    [fromDynalite.resolve("memory-level"), fromLevel.resolve("classic-level")].map(
      (store) => createRequire(store)("abstract-level") as Record<string, IteratorClass | undefined>,
    ),
  );
  for (const abstractLevel of copies) patchIterators(abstractLevel);
};

const patchIterators = (abstractLevel: Record<string, IteratorClass | undefined>): void => {
  for (const name of ["AbstractIterator", "AbstractKeyIterator", "AbstractValueIterator"] as const) {
    const prototype = abstractLevel[name]?.prototype;
    if (!prototype || typeof prototype.return === "function") continue;
    Object.defineProperty(prototype, "return", {
      configurable: true,
      writable: true,
      value: async function (this: ClosableIterator): Promise<IteratorResult<never, undefined>> {
        await this.close();
        return { done: true, value: undefined };
      },
    });
  }
};
