import type { Log } from "../../shared/log";
// The files, not the folder's index: its settings read the config schema, which the relay's core does not load.
import { InvalidOperationError } from "../../shared/operations/errors";
import { describeOperation, operationId, parseOperation, type Operation } from "../../shared/operations/operation";
import type { OperationSource, ReceivedOperation, Settlement } from "../../shared/operations/source";
import { Backoff, Delay } from "../backoff";
import { ApplyOutcome, type OperationApplier } from "./applier";

export interface WriteBackConsumerOptions {
  /** The relay's own cluster: the only one whose operations it applies. */
  cluster: string;
  source: OperationSource;
  applier: Pick<OperationApplier, "apply">;
  log: Log;
  /** Long-poll wait of each receive (SQS allows up to 20 s). */
  waitSeconds?: number;
  /** Told of each message's outcome (metrics). */
  onOutcome?: (op: string, outcome: ApplyOutcome | "invalid" | "wrong-cluster") => void;
}

/** What the consumer did so far, for the summary and tests. */
export interface WriteBackStats {
  received: number;
  applied: number;
  retried: number;
  forbidden: number;
  /** Never applied and deleted: invalid, for another cluster, or refused by the API server. */
  refused: number;
}

/**
 * How long past its own wait a receive still in flight at stop may take
 * before it is aborted: a source that never answers must not be waited on
 * for ever.
 */
const STOPPED_RECEIVE_GRACE_SECONDS = 10;

/** A message handed back unapplied at stop: visible again at once, for the next leader. */
const handedBack = (message: ReceivedOperation): Settlement["retry"][number] => ({ handle: message.handle, delaySeconds: 0 });

/** Seconds before a failed operation is tried again: grows with its receives, at most a minute. */
const retryDelay = (receiveCount: number): number => Math.min(60, 2 ** Math.min(receiveCount, 6));

/**
 * The relay's half of `kubernetes.via: relay`: receives its cluster's
 * operations (long poll), applies them one by one in the order received
 * (a resource's patches share a FIFO group) and settles each: done ones are
 * deleted, failed ones come back after a wait, forbidden ones are left for
 * the queue's visibility timeout and logged once. An operation for another
 * cluster is never applied: one cluster's objects never reach another's API
 * server. Runs only while the relay leads (one per term).
 *
 * Stopping does not abort a receive in flight: SQS hides what it hands to a
 * long poll whether or not the answer arrives, so an aborted poll left its
 * messages invisible for the queue's visibility timeout, and the next
 * leader waited that long for them. The receive is left to finish (within
 * its wait) and whatever it brings is handed back at once (visibility 0),
 * unapplied, for the next leader.
 */
export class WriteBackConsumer {
  readonly #options: WriteBackConsumerOptions;
  readonly #controller = new AbortController();
  readonly #backoff = new Backoff({ baseMs: 500, maxMs: 30_000 });
  readonly #delay = new Delay();
  readonly #forbiddenLogged = new Set<string>();
  readonly stats: WriteBackStats = { received: 0, applied: 0, retried: 0, forbidden: 0, refused: 0 };
  #loop: Promise<void> | undefined;
  #stopping = false;
  /** Hand back what is received but not applied when stopping; false for a stop like a crash. */
  #handBack = true;
  /** Ends the wait for the receive in flight: one per receive, so that no waiter outlives it. */
  #wake: (() => void) | undefined;
  /** How many messages were handed back at stop: the rest of the round, then what the receive in flight brought. */
  readonly #released: Promise<number>;
  #settleReleased: (count: number) => void = () => undefined;

  constructor(options: WriteBackConsumerOptions) {
    this.#options = options;
    this.#released = new Promise((resolve) => (this.#settleReleased = resolve));
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops receiving, without waiting for a receive in flight. An operation
   * being applied is finished and the round settled; the rest of the round
   * and what the receive in flight brings are not applied but handed back
   * (`released`). `handBack: false`, once given, stops as a crash would:
   * the receive is aborted and nothing is handed back, so it all returns
   * after the queue's visibility timeout.
   */
  async stop(options: { handBack?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    if (options.handBack === false) {
      this.#handBack = false;
      this.#controller.abort();
    }
    this.#wake?.();
    this.#delay.cancel();
    if (this.#loop === undefined) this.#settleReleased(0);
    await this.#loop;
  }

  /** Resolves after stop, once the receive then in flight answered, with how many messages were handed back unapplied. */
  get released(): Promise<number> {
    return this.#released;
  }

  async #run(): Promise<void> {
    const { source, log } = this.#options;
    const signal = this.#controller.signal;
    const waitSeconds = this.#options.waitSeconds ?? 20;
    let releasing = Promise.resolve(0);
    let roundHandedBack = 0;
    try {
      while (!this.#stopping) {
        let batch: ReceivedOperation[];
        try {
          const receiving = source.receive(waitSeconds, signal);
          const stopped = new Promise<undefined>((resolve) => (this.#wake = () => resolve(undefined)));
          const received = await Promise.race([receiving, stopped]).finally(() => (this.#wake = undefined));
          // Stopped, even in the very turn the receive answered: nothing more is applied.
          if (received === undefined || this.#stopping) {
            releasing = this.#release(receiving, waitSeconds);
            break;
          }
          batch = received;
          this.#backoff.reset();
        } catch (error) {
          if (this.#stopping) break;
          const delayMs = this.#backoff.next();
          log.warn("could not receive operations; retrying", { source: source.name, error: (error as Error).message, delayMs });
          await this.#delay.wait(delayMs);
          continue;
        }
        if (batch.length === 0) continue;
        const settlement: Settlement = { done: [], retry: [] };
        let unapplied = 0;
        for (const message of batch) {
          if (!this.#stopping) await this.#handle(message, settlement);
          else if (this.#handBack) {
            settlement.retry.push(handedBack(message));
            unapplied++;
          }
        }
        const settled = await source.settle(settlement).then(
          () => true,
          (error: unknown) => {
            // What is not deleted comes back and is applied again: a merge patch and a re-send are both harmless twice.
            log.warn("could not settle operations", { source: source.name, error: (error as Error).message });
            return false;
          },
        );
        if (settled) roundHandedBack += unapplied;
      }
    } finally {
      void releasing.then((count) => this.#settleReleased(roundHandedBack + count));
    }
  }

  /** Hands back, unapplied, what a receive still in flight at stop brings; aborts it if it outlives its wait. */
  async #release(receiving: Promise<ReceivedOperation[]>, waitSeconds: number): Promise<number> {
    const { source, log } = this.#options;
    const abort = setTimeout(() => this.#controller.abort(), (waitSeconds + STOPPED_RECEIVE_GRACE_SECONDS) * 1000);
    abort.unref();
    try {
      const batch = await receiving;
      if (!this.#handBack) return 0;
      if (batch.length > 0) await source.settle({ done: [], retry: batch.map(handedBack) });
      return batch.length;
    } catch (error) {
      // Not handed back: the queue's visibility timeout returns them.
      if (!this.#controller.signal.aborted) log.warn("could not hand back operations received while stopping", { source: source.name, error: (error as Error).message });
      return 0;
    } finally {
      clearTimeout(abort);
    }
  }

  async #handle(message: ReceivedOperation, settlement: Settlement): Promise<void> {
    const { cluster, applier, log } = this.#options;
    this.stats.received++;
    let operation: Operation;
    try {
      operation = parseOperation(message.body);
    } catch (error) {
      if (!(error instanceof InvalidOperationError)) throw error;
      this.#refuse(message, "invalid", "invalid operation deleted", { reason: error.message });
      settlement.done.push(message.handle);
      return;
    }
    if (operation.cluster !== cluster) {
      this.#refuse(message, operation.op, "operation for another cluster refused and deleted", { cluster: operation.cluster, relayCluster: cluster }, "wrong-cluster");
      settlement.done.push(message.handle);
      return;
    }
    const what = describeOperation(operation);
    const result = await applier.apply(operation, operationId(operation));
    this.#options.onOutcome?.(operation.op, result.outcome);
    switch (result.outcome) {
      case ApplyOutcome.Done:
        this.stats.applied++;
        log.debug("operation applied", { operation: what, detail: result.detail });
        settlement.done.push(message.handle);
        return;
      case ApplyOutcome.Retry: {
        this.stats.retried++;
        const delaySeconds = retryDelay(message.receiveCount);
        log.warn("operation failed; retrying", { operation: what, detail: result.detail, delaySeconds });
        settlement.retry.push({ handle: message.handle, delaySeconds });
        return;
      }
      case ApplyOutcome.Forbidden:
        this.stats.forbidden++;
        // Once per kind of operation: every message would say the same until the RBAC is fixed.
        if (!this.#forbiddenLogged.has(operation.op)) {
          this.#forbiddenLogged.add(operation.op);
          log.error("operation forbidden: the relay's RBAC lacks it (infra/relay/overlays/write-back grants patch on commitstatuses/status); left on the queue", {
            operation: what,
            detail: result.detail,
          });
        }
        return;
      case ApplyOutcome.Refused:
        this.stats.refused++;
        log.error("operation refused by the API server; deleted", { operation: what, detail: result.detail });
        settlement.done.push(message.handle);
        return;
    }
  }

  #refuse(message: ReceivedOperation, op: string, text: string, fields: Record<string, unknown>, outcome: "invalid" | "wrong-cluster" = "invalid"): void {
    this.stats.refused++;
    this.#options.onOutcome?.(op, outcome);
    this.#options.log.error(text, { messageId: message.id, ...fields });
  }
}
