import type { Envelope, KubeObject } from "../envelope";
import type { Log } from "../log";
import type { StoredItem } from "../store";
import type { StatusChannel } from "./channel";
import type { EventProcessStatus } from "./event-status";

/** What a handler knows about the event it is handling. */
export interface HandlerContext {
  readonly log: Log;
  readonly envelope: Envelope;
  readonly messageId: string;
  /** How many times this message was retried before (ApproximateReceiveCount − 1). */
  readonly retryCount: number;
  readonly maxRetries: number;
  /** The state-table key of this object (`StoreKey.object`: `obj#<cluster>/<uid>`). */
  readonly key: string;
  /** What the process function stored for this object, read once before the handler is called. */
  readonly stored?: StoredItem<ObjectRecord>;
}

/** The state item of one object: its last stored version plus what its handler keeps. */
export interface ObjectRecord {
  object?: KubeObject;
  [state: string]: unknown;
}

/**
 * A handler of one kind of object, after the "controller event status"
 * design: each call reports through its channel and closes it.
 * `oldObj` is the last version the process function stored for that object.
 */
export interface Handler<T extends KubeObject = KubeObject> {
  readonly name: string;
  /**
   * False when the handler has no use for the object's own item (a TaskRun
   * of a PipelineRun folds into its parent's): the read before the call is
   * skipped, and `stored` and `oldObj` are undefined. Read when absent.
   */
  readsStored?(obj: T): boolean;
  added(ctx: HandlerContext, obj: T, ch: StatusChannel): Promise<void>;
  updated(ctx: HandlerContext, newObj: T, oldObj: T | undefined, ch: StatusChannel): Promise<void>;
  deleted(ctx: HandlerContext, obj: T, ch: StatusChannel): Promise<void>;
  onStatus(ctx: HandlerContext, status: EventProcessStatus): Promise<void>;
}
