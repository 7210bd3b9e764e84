/**
 * Fault injection and bookkeeping around the real process path: a state
 * store that "crashes" between the receiver calls and their record, and a
 * receiver wrapper that tallies every callback that went through.
 */
import type { PipelineInfo } from "../../../shared/pipeline/types";
import { LifecycleEvent, type Receiver, type ReceiverContext, type ServiceContext } from "../../../shared/receivers";
import type { StateStore, StoredItem } from "../../../shared/store";
import type { SeededRandom } from "./random";

/** The process died after calling receivers and before recording it: what a crash looks like to the caller. */
export class InjectedCrashError extends Error {
  constructor(key: string, options?: { cause?: unknown }) {
    super(`injected crash before recording the deliveries of ${key}`, options);
    this.name = "InjectedCrashError";
  }
}

/** The once-only callbacks by the field their mark is stored under. */
const STORED_ONCE: Readonly<Record<string, LifecycleEvent>> = { c: LifecycleEvent.Created, s: LifecycleEvent.Started, f: LifecycleEvent.Finished };
/** Every callback's stored mark field, progress (`p`) included. */
const STORED_CALLS: ReadonlySet<string> = new Set([...Object.keys(STORED_ONCE), "p"]);

/** `uid|receiver|event`: one lifecycle callback of one run to one receiver. */
export const callKey = (uid: string, receiver: string, event: string): string => `${uid}|${receiver}|${event}`;

/**
 * The pipeline handler records deliveries with `setPaths`, after the calls:
 * failing it is exactly a crash between a receiver call and its record. Each
 * crash lists the lifecycle callbacks it puts at risk of one repeat, and when
 * it came (`at`: how many callbacks had returned by then, from `clock`), so
 * that a repeat is explained only by a crash between the call and the repeat.
 */
export class CrashingStateStore implements StateStore {
  readonly #inner: () => StateStore;
  readonly #random: SeededRandom;
  readonly #rate: number;
  readonly #clock: () => number;
  /** `receivers`: those whose calls (progress too) the crash left unrecorded, with what they remembered of the run. */
  readonly crashes: Array<{ key: string; atRisk: string[]; receivers: string[]; at: number }> = [];

  /** `inner` is built on first use: the emulators' endpoints are known only once the stack runs. */
  constructor(inner: () => StateStore, random: SeededRandom, rate: number, clock: () => number) {
    let store: StateStore | undefined;
    this.#inner = () => (store ??= inner());
    this.#random = random;
    this.#rate = rate;
    this.#clock = clock;
  }

  get<S>(key: string): Promise<StoredItem<S> | undefined> {
    return this.#inner().get<S>(key);
  }

  put<S>(key: string, data: S, expectedVersion: number | undefined, ttlSeconds: number): Promise<number> {
    return this.#inner().put(key, data, expectedVersion, ttlSeconds);
  }

  async setPaths(key: string, assignments: ReadonlyArray<{ path: readonly string[]; value: unknown }>): Promise<StoredItem | undefined> {
    if (this.#random.chance(this.#rate)) {
      const uid = key.slice(key.indexOf("/") + 1);
      // Stored marks (shared/pipeline/delivery-codec.ts): `run.d.<receiver>.<c|s|f>` set to "d" is a callback recorded done.
      const atRisk = assignments
        .filter(({ path, value }) => path[1] === "d" && STORED_ONCE[path[3] ?? ""] !== undefined && value === "d")
        .map(({ path }) => callKey(uid, path[2]!, STORED_ONCE[path[3]!]!));
      const receivers = [...new Set(assignments.filter(({ path, value }) => path[1] === "d" && STORED_CALLS.has(path[3] ?? "") && value === "d").map(({ path }) => path[2]!))];
      this.crashes.push({ key, atRisk, receivers, at: this.#clock() });
      throw new InjectedCrashError(key);
    }
    return this.#inner().setPaths(key, assignments);
  }
}

export interface TalliedCall {
  seq: number;
  receiver: string;
  uid: string;
  run: string;
  event: LifecycleEvent;
  phase: string;
}

/** Every callback that completed, in completion order, across receivers. */
export class CallTally {
  readonly calls: TalliedCall[] = [];

  record(receiver: string, event: LifecycleEvent, info: PipelineInfo): void {
    this.calls.push({ seq: this.calls.length, receiver, uid: info.uid, run: info.id, event, phase: info.phase });
  }
}

/** Passes every call to the real receiver and tallies the ones that returned. */
export class TallyingReceiver implements Receiver {
  readonly #inner: Receiver;
  readonly #tally: CallTally;

  /** The wrapped receiver's own answers, only where it has them, as the start-up wrapper forwards them (shared/receivers/startup.ts). */
  readonly handles?: (event: LifecycleEvent) => boolean;
  readonly progressKey?: (info: PipelineInfo) => string;

  constructor(inner: Receiver, tally: CallTally) {
    this.#inner = inner;
    this.#tally = tally;
    if (inner.handles) this.handles = (event) => inner.handles!(event);
    if (inner.progressKey) this.progressKey = (info) => inner.progressKey!(info);
  }

  get name(): string {
    return this.#inner.name;
  }

  async initialize(sc: ServiceContext): Promise<void> {
    await this.#inner.initialize?.(sc);
  }

  async #call(event: LifecycleEvent, call: () => Promise<void>, info: PipelineInfo): Promise<void> {
    await call();
    this.#tally.record(this.name, event, info);
  }

  whenCreated(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    return this.#call(LifecycleEvent.Created, () => this.#inner.whenCreated(ctx, info), info);
  }
  whenStarted(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    return this.#call(LifecycleEvent.Started, () => this.#inner.whenStarted(ctx, info), info);
  }
  updateProgress(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    return this.#call(LifecycleEvent.Progress, () => this.#inner.updateProgress(ctx, info), info);
  }
  whenFinished(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    return this.#call(LifecycleEvent.Finished, () => this.#inner.whenFinished(ctx, info), info);
  }
}
