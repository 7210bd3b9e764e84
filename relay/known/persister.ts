import type { Log } from "../../shared/log";
import { Backoff, Delay } from "../backoff";
import type { RelayMetrics } from "../metrics";
import { UnreadableSnapshotError, type KnownObjects } from "./objects";
import { CONFIGMAP_SNAPSHOT_LIMIT, type KnownStore } from "./store";

export interface KnownPersisterOptions {
  known: KnownObjects;
  store: KnownStore;
  log: Log;
  metrics: RelayMetrics;
  /** How often a changed set is saved; 10 s by default. */
  intervalMs?: number;
  /** Largest snapshot payload; the ConfigMap limit by default. */
  maxBytes?: number;
  /** Reads of the snapshot before starting without it. */
  restoreAttempts?: number;
}

/**
 * Saves a relay term's known objects to its store every few seconds when
 * they changed, and once more after a clean stop has drained the buffer;
 * restores them before the watches start. A crash loses at most the last
 * interval: objects first seen then and deleted before the restart are not
 * reported, the rest are.
 */
export class KnownPersister {
  readonly #options: Required<Omit<KnownPersisterOptions, "known" | "store" | "log" | "metrics">>;
  readonly #known: KnownObjects;
  readonly #store: KnownStore;
  readonly #log: Log;
  readonly #metrics: RelayMetrics;
  readonly #delay = new Delay();
  #savedChanges = 0;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> | undefined;
  #stopped = false;

  constructor(options: KnownPersisterOptions) {
    this.#known = options.known;
    this.#store = options.store;
    this.#log = options.log;
    this.#metrics = options.metrics;
    this.#options = {
      intervalMs: options.intervalMs ?? 10_000,
      maxBytes: options.maxBytes ?? CONFIGMAP_SNAPSHOT_LIMIT,
      restoreAttempts: options.restoreAttempts ?? 5,
    };
  }

  /**
   * Reads the last snapshot into the known objects. Never throws: without
   * it the relay still ships, it only cannot report what was deleted while
   * it was away, and says so.
   */
  async restore(): Promise<void> {
    const backoff = new Backoff({ baseMs: 200, maxMs: 2_000 });
    const from = this.#store.description;
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        const payload = await this.#store.load();
        const summary = payload ? this.#known.restore(payload) : { entries: 0, targets: 0 };
        this.#log.info("restored known objects", { from, ...summary });
        return;
      } catch (error) {
        const detail = (error as Error).message;
        if (error instanceof UnreadableSnapshotError) {
          this.#log.warn("known-object snapshot ignored; objects deleted while the relay was away are not reported", { from, error: detail });
          return;
        }
        if (attempt >= this.#options.restoreAttempts) {
          this.#log.error("could not read the known-object snapshot; objects deleted while the relay was away are not reported", { from, error: detail });
          return;
        }
        await this.#delay.wait(backoff.next());
      }
    }
  }

  start(): void {
    if (this.#stopped || this.#timer) return;
    this.#schedule();
  }

  /** Stops saving; with `save` (a clean stop, after the buffer drained) saves once more. */
  async stop(options: { save: boolean }): Promise<void> {
    this.#stopped = true;
    this.#delay.cancel();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#saving;
    if (options.save) await this.#save();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#saving = this.#save().finally(() => {
        this.#saving = undefined;
        if (!this.#stopped) this.#schedule();
      });
    }, this.#options.intervalMs);
    // A pending save must not keep a stopping process alive.
    this.#timer.unref();
  }

  async #save(): Promise<void> {
    this.#known.settle();
    this.#metrics.knownObjects.set(this.#known.size);
    const changes = this.#known.changes;
    if (changes === this.#savedChanges) return;
    const { payload, saved, total } = this.#known.encode(this.#options.maxBytes);
    try {
      await this.#store.save(payload, saved);
      this.#savedChanges = changes;
      this.#metrics.knownUnsaved.set(total - saved);
      if (saved < total) {
        this.#log.warn("known objects cut to fit the snapshot; the rest are reported after a re-list but not after a restart", {
          to: this.#store.description,
          saved,
          total,
          bytes: payload.length,
        });
      }
    } catch (error) {
      this.#metrics.knownSaveErrors.inc();
      this.#log.warn("could not save known objects; retrying", { to: this.#store.description, error: (error as Error).message });
    }
  }
}
