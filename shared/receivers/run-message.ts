/**
 * One message per run, for the chat receivers whose service can edit what
 * they posted (Slack with a bot token, Discord webhooks, Matrix): the first
 * callback of a run posts, every later one edits that message in place, so
 * a channel shows one line per run that moves with it instead of one post
 * per callback.
 *
 * The message's ids live in the run's receiver memory (the receivers' store,
 * `StoreKey.runMessage`: per receiver, cluster and run uid), with a digest
 * of what it shows and the latest callback shown:
 * - a callback that would show the same thing again (an SQS redelivery, a
 *   progress that changed nothing this receiver shows) sends nothing;
 * - a replay of an earlier callback (a `started` after `finished`) leaves
 *   the message alone rather than turning it back;
 * - a message deleted in the service (the edit says it is gone) is posted
 *   anew and the new ids are remembered.
 * A failed request leaves the memory as it was, so the retry does the same
 * again. Lost memory (a write that failed after the post) costs one more
 * message, never a missing one.
 */
import { createHash } from "node:crypto";
import type { Log } from "../log";
import type { PipelineInfo } from "../pipeline/types";
import { LifecycleEvent, type ReceiverStore } from "../pipeline/receiver";
import { StoreKey } from "../store/keys";
import { ReceiverTargetGoneError } from "./errors";

/** The service's ids of a message: Slack's channel and ts, a Discord message id, a Matrix event id. */
export type MessageRef = Readonly<Record<string, string>>;

export interface RunMessageRecord {
  readonly ref: MessageRef;
  /** `EVENT_RANK` of the latest callback shown. */
  readonly rank: number;
  /** A digest of the content shown. */
  readonly digest: string;
  /** Stages whose details were sent as replies to the message (Slack's thread), each once. */
  readonly replied: readonly string[];
}

/** How one service posts and edits a run's message. */
export interface MessageWriter {
  /** Posts the message and returns its ids; `lost` is the message it stands in for when that one was deleted. */
  post(lost: MessageRef | undefined): Promise<MessageRef>;
  /** Edits the message in place; throws `ReceiverTargetGoneError` when the service says it no longer exists. */
  edit(ref: MessageRef): Promise<void>;
}

/** The order of the callbacks in a run's life; progress may repeat. */
export const EVENT_RANK = {
  [LifecycleEvent.Created]: 0,
  [LifecycleEvent.Started]: 1,
  [LifecycleEvent.Progress]: 2,
  [LifecycleEvent.Finished]: 3,
} as const satisfies Record<LifecycleEvent, number>;

export const contentDigest = (content: unknown): string => createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 32);

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

const isRecord = (value: Record<string, unknown> | undefined): value is Record<string, unknown> & RunMessageRecord => {
  const ref = value?.ref;
  return (
    typeof ref === "object" &&
    ref !== null &&
    Object.values(ref).every((id) => typeof id === "string") &&
    typeof value?.rank === "number" &&
    typeof value.digest === "string" &&
    isStrings(value.replied)
  );
};

/** A receiver's view of its runs' messages. */
export class RunMessages {
  readonly #receiver: string;
  readonly #store: ReceiverStore;

  constructor(receiver: string, store: ReceiverStore) {
    this.#receiver = receiver;
    this.#store = store;
  }

  async recall(info: PipelineInfo): Promise<RunMessageRecord | undefined> {
    const stored = await this.#store.get(StoreKey.runMessage(this.#receiver, info.cluster, info.uid));
    return isRecord(stored) ? stored : undefined;
  }

  async remember(info: PipelineInfo, record: RunMessageRecord): Promise<void> {
    await this.#store.put(StoreKey.runMessage(this.#receiver, info.cluster, info.uid), { ...record, replied: [...record.replied] });
  }

  /**
   * Brings the run's message up to date with `content` and returns what is
   * remembered of it now; undefined when the callback is a replay of an
   * earlier one and the message was left alone.
   */
  async show(log: Log, info: PipelineInfo, event: LifecycleEvent, content: unknown, writer: MessageWriter): Promise<RunMessageRecord | undefined> {
    const remembered = await this.recall(info);
    const rank = EVENT_RANK[event];
    if (remembered && rank < remembered.rank) {
      log.debug(`receiver ${this.#receiver}: message of ${info.id} left alone: it already shows a later callback than ${event}`);
      return undefined;
    }
    const digest = contentDigest(content);
    if (remembered?.digest === digest) return remembered;

    let ref: MessageRef | undefined;
    if (remembered) {
      try {
        await writer.edit(remembered.ref);
        ref = remembered.ref;
      } catch (error) {
        if (!(error instanceof ReceiverTargetGoneError)) throw error;
        log.debug(`receiver ${this.#receiver}: message of ${info.id} is gone (${error.message}): posting it anew`);
      }
    }
    const edited = ref !== undefined;
    ref ??= await writer.post(remembered?.ref);
    // A message posted anew starts its own thread: the stages are told there again.
    const record: RunMessageRecord = { ref, rank: Math.max(rank, remembered?.rank ?? rank), digest, replied: edited ? remembered!.replied : [] };
    await this.remember(info, record);
    return record;
  }
}
