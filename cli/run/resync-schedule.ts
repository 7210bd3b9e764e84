import type { ResyncReport } from "../../shared/commitstatus";
import type { Log } from "../../shared/log";

/** serverless.yml's `resyncSchedule`, rate(5 minutes): the same safety net at the same pace. */
export const DEFAULT_RESYNC_SECONDS = 300;

export interface ResyncScheduleOptions {
  /** One resync of every cluster the config reaches (shared/process/resync.ts). */
  resync: () => Promise<ResyncReport>;
  intervalMs: number;
  /** Only the replica that leads runs it, as only one resync function runs on AWS. */
  leading: () => boolean;
  log: Log;
}

/**
 * The scheduled resync in process: what EventBridge's schedule does for the
 * resync function on AWS. A run never overlaps the previous one (the next
 * is planned when one ends), a failed run is logged and the next comes as
 * planned, and the timer never keeps the process alive on its own.
 */
export class ResyncSchedule {
  readonly #options: ResyncScheduleOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  /** Resyncs run so far, failed ones included. */
  runs = 0;

  constructor(options: ResyncScheduleOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError(`resync interval must be positive, got ${options.intervalMs} ms`);
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops the timer and waits for a resync in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    const { log } = this.#options;
    if (!this.#options.leading()) return;
    this.runs++;
    try {
      const report = await this.#options.resync();
      log.info("resync done", { listed: report.listed, checked: report.checked, verdicts: report.verdicts });
    } catch (error) {
      log.error("resync failed; the next one runs as planned", { error: (error as Error).message });
    }
  }
}
