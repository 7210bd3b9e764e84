import type { PipelineInfo } from "../pipeline/types";
import { ReceiverUnavailableError } from "./errors";
import type { ConfiguredReceiver, LifecycleEvent, Receiver, ReceiverContext, ServiceContext } from "../pipeline/receiver";

/**
 * How long a receiver that could not start waits before `initialize` is
 * tried again. Every call in between fails at once with the same reason, so
 * a batch with a broken receiver does not read a missing secret per message.
 */
export const REINITIALIZE_AFTER_MS = 10_000;

/** A receiver that could not start, and why (the message names the receiver and the key). */
export interface ReceiverStartFailure {
  readonly receiver: string;
  readonly error: Error;
}

type Started = { ok: true } | { ok: false; error: ReceiverUnavailableError; at: number };

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

/**
 * Wraps one receiver so that it starts on its own: a receiver whose
 * `initialize` fails (an unreadable secret, an invalid combination of
 * settings) fails its own calls with a retryable error, and is started again
 * on a later call, so a secret that comes back heals it without a restart.
 * The other receivers never wait for it.
 */
export class IsolatedReceiver implements Receiver {
  readonly name: string;
  /**
   * The wrapped receiver's own answers, present only where it has them: the
   * pipeline handler plans calls by them (a callback outside `events` is
   * never claimed, progress comes due when the receiver's key moves), so a
   * wrapper without them would make every receiver hear every change.
   */
  readonly handles?: (event: LifecycleEvent) => boolean;
  readonly progressKey?: (info: PipelineInfo) => string;
  readonly #inner: Receiver;
  readonly #sc: ServiceContext;
  readonly #now: () => number;
  #started: Started | undefined;
  #starting: Promise<Started> | undefined;

  constructor(inner: Receiver, sc: ServiceContext, now: () => number = Date.now) {
    this.name = inner.name;
    this.#inner = inner;
    this.#sc = sc;
    this.#now = now;
    if (inner.handles) this.handles = (event) => inner.handles!(event);
    if (inner.progressKey) this.progressKey = (info) => inner.progressKey!(info);
  }

  /** Runs `initialize` once (concurrent callers share the attempt); resolves to the failure, if any. */
  async start(): Promise<ReceiverUnavailableError | undefined> {
    this.#starting ??= this.#attempt().finally(() => {
      this.#starting = undefined;
    });
    const started = await this.#starting;
    return started.ok ? undefined : started.error;
  }

  async #attempt(): Promise<Started> {
    const previous = this.#started;
    try {
      await this.#inner.initialize?.(this.#sc);
      if (previous && !previous.ok) this.#sc.log.info(`receiver ${this.name} started after an earlier failure`, { receiver: this.name });
      this.#started = { ok: true };
    } catch (cause) {
      const error = new ReceiverUnavailableError(this.name, asError(cause));
      // Said once per distinct reason, not on every retried message.
      if (previous?.ok !== false || previous.error.message !== error.message) {
        this.#sc.log.error("receiver cannot start; its calls are retried, the other receivers go on", { receiver: this.name, error: error.message });
      }
      this.#started = { ok: false, error, at: this.#now() };
    }
    return this.#started;
  }

  async #ready(): Promise<void> {
    const started = this.#started;
    if (started?.ok) return;
    if (started && this.#now() - started.at < REINITIALIZE_AFTER_MS) throw started.error;
    const failure = await this.start();
    if (failure) throw failure;
  }

  async whenCreated(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await this.#ready();
    return this.#inner.whenCreated(ctx, info);
  }
  async whenStarted(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await this.#ready();
    return this.#inner.whenStarted(ctx, info);
  }
  async updateProgress(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await this.#ready();
    return this.#inner.updateProgress(ctx, info);
  }
  async whenFinished(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await this.#ready();
    return this.#inner.whenFinished(ctx, info);
  }
}

/**
 * Starts every receiver, each on its own, and returns them wrapped so a
 * receiver that could not start fails alone. Each failure is logged once,
 * naming the receiver and the key.
 */
export const startReceivers = async (
  receivers: readonly ConfiguredReceiver[],
  sc: ServiceContext,
  now?: () => number,
): Promise<{ receivers: ConfiguredReceiver[]; failures: ReceiverStartFailure[] }> => {
  const isolated = receivers.map(({ receiver, entry }) => ({ receiver: new IsolatedReceiver(receiver, sc, now), entry }));
  const outcomes = await Promise.all(isolated.map(({ receiver }) => receiver.start()));
  const failures = outcomes.flatMap((error, i) => (error ? [{ receiver: isolated[i]!.receiver.name, error }] : []));
  return { receivers: isolated, failures };
};
