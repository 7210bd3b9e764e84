import type { KubeConfig } from "@kubernetes/client-node";
import type { Log } from "../shared/log";
import { within } from "./backoff";
import type { HealthStatus } from "./health";
import { LeaderEvent, type LeaderElector } from "./leader/elector";
import type { RelayMetrics } from "./metrics";
import { Relay, type RelayOptions } from "./relay";

export interface ElectedRelayOptions {
  relay: Omit<RelayOptions, "metrics" | "log">;
  kc: KubeConfig;
  /** Without an elector the relay leads from the start (a single replica, or leader election switched off). */
  elector?: LeaderElector;
  metrics: RelayMetrics;
  log: Log;
  /** How long a clean shutdown waits for the buffer to drain. */
  drainTimeoutMs?: number;
}

/**
 * One active replica: runs a fresh Relay for each term of leadership. Only
 * the leader lists and watches; a standby holds nothing. Losing the lease
 * stops shipping at once and drops the term's buffer, because the next
 * leader re-lists and sends every current object as RESYNC anyway.
 */
export class ElectedRelay {
  readonly #options: ElectedRelayOptions;
  #term: Relay | undefined;
  #terms = 0;
  #stopping = false;
  #failure: Error | undefined;
  /** Hand-backs of terms that lost the lease, still waiting for their last receive (WriteBackConsumer). */
  readonly #handingBack = new Set<Promise<number>>();

  constructor(options: ElectedRelayOptions) {
    this.#options = options;
  }

  /** The relay of the current term, if this replica leads. */
  get relay(): Relay | undefined {
    return this.#term;
  }

  get isLeader(): boolean {
    return this.#term !== undefined;
  }

  /** Terms led so far. */
  get terms(): number {
    return this.#terms;
  }

  start(): void {
    const { elector, log } = this.#options;
    this.#options.metrics.leader.set(0);
    if (!elector) return this.#lead();
    elector.on(LeaderEvent.Leading, () => this.#lead());
    elector.on(LeaderEvent.Lost, (reason) => this.#standDown(reason));
    elector.on(LeaderEvent.NewLeader, (identity) => log.info("lease holder", { identity, self: identity === elector.identity }));
    elector.on(LeaderEvent.Error, (error) => log.warn("lease request failed", { error: error.message }));
    log.info("standing by for the lease", { identity: elector.identity });
    elector.start();
  }

  /**
   * Clean shutdown: stop watching, drain the buffer (bounded), release the
   * lease so a standby takes over at once, and then, within what is left of
   * the drain time, let write-back hand back the operations its last
   * receive brought (WriteBackConsumer), so the standby gets them at once.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    const { drainTimeoutMs, log } = this.#options;
    const started = Date.now();
    const term = this.#term;
    if (term) await term.stop({ timeoutMs: drainTimeoutMs });
    this.#term = undefined;
    await this.#options.elector?.stop({ release: true });
    this.#options.metrics.leader.set(0);
    const released = [...this.#handingBack, ...(term?.writeBack ? [term.writeBack.released] : [])];
    const left = drainTimeoutMs === undefined ? undefined : Math.max(0, drainTimeoutMs - (Date.now() - started));
    if (!(await within(Promise.all(released), left))) log.warn("operations received while stopping not handed back in time; they return after the queue's visibility timeout");
  }

  /** Stops like a crashed process: the buffer dropped, operations received left to the queue's visibility timeout, the lease left to expire. */
  async halt(): Promise<void> {
    this.#stopping = true;
    this.#term?.abandon("halted", { handBack: false });
    this.#term = undefined;
    await this.#options.elector?.stop({ release: false });
    this.#options.metrics.leader.set(0);
  }

  /** Live unless a watcher gave up; ready when leading with every watch synced, or standing by. */
  status(): HealthStatus {
    const term = this.#term;
    const failure = this.#failure ?? term?.failure;
    const synced = term?.synced ?? false;
    return {
      live: failure === undefined,
      ready: failure === undefined && (term ? synced : !this.#stopping),
      detail: {
        leader: term !== undefined,
        synced,
        bufferDepth: term?.bufferDepth ?? 0,
        ...(this.#options.elector ? { identity: this.#options.elector.identity, holder: this.#options.elector.leader } : {}),
        ...(failure ? { error: failure.message } : {}),
      },
    };
  }

  #lead(): void {
    if (this.#stopping || this.#term) return;
    const { log, metrics, kc } = this.#options;
    const term = new Relay({ ...this.#options.relay, metrics, log });
    this.#term = term;
    this.#terms++;
    metrics.leader.set(1);
    log.info("leading: listing and watching", { term: this.#terms });
    const number = this.#terms;
    term.start(kc).then(
      () => {
        if (this.#term === term) log.info("watches synced", { term: number });
      },
      (error: unknown) => {
        this.#failure ??= error as Error;
        log.error("relay could not start its watches", { error: (error as Error).message });
      },
    );
  }

  #standDown(reason: string): void {
    const term = this.#term;
    this.#term = undefined;
    this.#options.metrics.leader.set(0);
    if (!term) return;
    term.abandon("lease_lost");
    // A stop soon after (SIGTERM) waits for it, or the process would exit under the receive.
    const released = term.writeBack?.released;
    if (released) {
      this.#handingBack.add(released);
      void released.then(() => this.#handingBack.delete(released));
    }
    this.#options.log.warn("lost the lease; stopped shipping", { reason });
  }
}
