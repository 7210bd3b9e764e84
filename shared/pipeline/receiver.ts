import type { FeedbackConfig, ReceiverEntry } from "../config";
import type { Log } from "../log";
import type { PipelineInfo } from "./types";

/** What a receiver gets once per cold start. */
export interface ServiceContext {
  readonly log: Log;
  readonly config: FeedbackConfig;
  /** Kubernetes client configuration, loaded on first use (most receivers never need it). */
  readonly kube: () => Promise<import("@kubernetes/client-node").KubeConfig>;
  /** The state store, for receivers that remember provider ids between calls. */
  readonly store: ReceiverStore;
}

/** A small key-value view of the state table for receivers. */
export interface ReceiverStore {
  get(key: string): Promise<Record<string, unknown> | undefined>;
  /**
   * `ttlSeconds`: how long the item is worth keeping (a credential's pause);
   * a store that does not take it keeps the item for the state's own TTL.
   */
  put(key: string, value: Record<string, unknown>, options?: { ttlSeconds?: number }): Promise<void>;
}

/**
 * What a receiver remembers of one run between its calls (a provider's id for
 * the run's check run, a digest of what it last posted). It lives in the run
 * item, read with the run and written with the record of the call, so it
 * costs no request of its own.
 */
export interface RunMemory {
  /** What the receiver's last call for this run remembered; undefined before. */
  readonly value: Readonly<Record<string, unknown>> | undefined;
  /** Replaces it; stored with the outcome of this call. */
  set(value: Record<string, unknown>): void;
}

/** What a receiver gets on every call. */
export interface ReceiverContext {
  readonly log: Log;
  /** Why the call is made: the callback's name, for receivers that share one code path. */
  readonly event: LifecycleEvent;
  /** The receiver's memory of this run; absent when the call is not made for a stored run (nothing is kept then). */
  readonly memory?: RunMemory;
  /**
   * The call may repeat one whose record was lost (the process died after
   * the call): what the receiver remembered of it may be lost with it, and a
   * receiver that can ask its destination what it last received may do so.
   */
  readonly repeat?: boolean;
}

/** A memory that starts empty and keeps what is set (calls made outside a stored run, tests). */
export const transientMemory = (value?: Record<string, unknown>): RunMemory & { value: Record<string, unknown> | undefined } => {
  const memory = {
    value,
    set(next: Record<string, unknown>) {
      memory.value = next;
    },
  };
  return memory;
};

export const LifecycleEvent = {
  Created: "created",
  Started: "started",
  Progress: "progress",
  Finished: "finished",
} as const;
export type LifecycleEvent = (typeof LifecycleEvent)[keyof typeof LifecycleEvent];

/**
 * A feedback receiver: a plugin that is told about CI runs. `name` identifies
 * the configured instance; `initialize` runs once per cold start.
 * `whenCreated`, `whenStarted`, `whenFinished` are called at most once per
 * run, in that order; `updateProgress` once per distinct state.
 */
export interface Receiver {
  readonly name: string;
  initialize?(sc: ServiceContext): Promise<void>;
  /**
   * Whether the receiver posts anything for `event` (its `events` option).
   * A callback it does not take is marked skipped when it comes due, never
   * claimed: no call, and no write to record one.
   */
  handles?(event: LifecycleEvent): boolean;
  /**
   * What of a run a progress callback reports; a new value makes one due.
   * Defaults to the run's phase and every stage's phase (`stateHash`).
   */
  progressKey?(info: PipelineInfo): string;
  updateProgress(ctx: ReceiverContext, info: PipelineInfo): Promise<void>;
  whenCreated(ctx: ReceiverContext, info: PipelineInfo): Promise<void>;
  whenStarted(ctx: ReceiverContext, info: PipelineInfo): Promise<void>;
  whenFinished(ctx: ReceiverContext, info: PipelineInfo): Promise<void>;
}

/** A configured receiver with the selector that decides which runs it hears about. */
export interface ConfiguredReceiver {
  readonly receiver: Receiver;
  readonly entry: ReceiverEntry;
}
