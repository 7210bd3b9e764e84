import type { KubeConfig } from "@kubernetes/client-node";
import type { WatchConfig } from "../shared/config";
import { makeEnvelope, type EnvelopeType, type KubeObject } from "../shared/envelope";
import type { Log } from "../shared/log";
import { EnvelopeBuffer, type BufferOptions } from "./buffer";
import type { Sink } from "./sink";
import { slimObject } from "./slim";
import { Watcher, WatcherEvent, type WatchTarget } from "./watcher";

export interface RelayOptions {
  cluster: string;
  watch: readonly WatchConfig[];
  sink: Sink;
  log: Log;
  buffer?: BufferOptions;
}

export const watchTargets = (watch: readonly WatchConfig[]): WatchTarget[] =>
  watch.flatMap((w) => {
    const base = { group: w.group, version: w.version, plural: w.resource, ...(w.labelSelector ? { labelSelector: w.labelSelector } : {}) };
    return w.namespaces.length === 0 ? [base] : w.namespaces.map((namespace) => ({ ...base, namespace }));
  });

/**
 * The in-cluster half: watches the configured kinds, slims each object,
 * wraps it in a v1 envelope and ships it. It keeps no copy of any object.
 */
export class Relay {
  readonly #options: RelayOptions;
  readonly #buffer: EnvelopeBuffer;
  readonly #watchers: Watcher[] = [];

  constructor(options: RelayOptions) {
    this.#options = options;
    this.#buffer = new EnvelopeBuffer(options.sink, options.buffer);
  }

  get sent(): number {
    return this.#buffer.accepted;
  }

  /** Slims, wraps and buffers one watch event (also the entry point for replays). */
  readonly ship = async (type: EnvelopeType, object: KubeObject): Promise<void> => {
    await this.#buffer.push(makeEnvelope(this.#options.cluster, type, slimObject(object)));
  };

  /** Starts every watch; resolves once each has listed its current objects. */
  async start(kc: KubeConfig): Promise<void> {
    const { log } = this.#options;
    for (const target of watchTargets(this.#options.watch)) {
      const watcher = new Watcher(kc, target, this.ship);
      watcher.on(WatcherEvent.DataError, (error: Error) => log.warn("watch error", { path: watcher.path, error: error.message }));
      watcher.on(WatcherEvent.ListError, (error: Error) => log.warn("list failed", { path: watcher.path, error: error.message }));
      watcher.on(WatcherEvent.Relist, () => log.info("watch expired; re-listing", { path: watcher.path }));
      this.#watchers.push(watcher);
    }
    await Promise.all(this.#watchers.map((w) => w.start()));
    await this.#buffer.flush();
  }

  /** Stops watching and sends what is buffered. */
  async stop(): Promise<void> {
    for (const watcher of this.#watchers) watcher.close();
    await this.#buffer.flush();
  }

  flush(): Promise<void> {
    return this.#buffer.flush();
  }
}
