import type { EnvelopeType, KubeObject } from "../shared/envelope";
import type { WatchExpiredError, WatchGaveUpError } from "./errors";

/** What a Watcher reports, after kubernetes-fluent-client's WatchEvent. */
export const WatcherEvent = {
  /** A watch stream is open. */
  Connect: "CONNECT",
  /** A list finished; its objects were handed over as RESYNC. */
  List: "LIST",
  /** After a list: remembered objects it no longer had were handed over as DELETED. */
  Vanished: "VANISHED",
  ListError: "LIST_ERROR",
  /** A stream failed: network, an ERROR event, no data for too long. */
  DataError: "DATA_ERROR",
  Bookmark: "BOOKMARK",
  /** 410 Gone: the cursor is older than the server's history; re-listing. */
  Relist: "RELIST",
  /** The consumer is full: the stream was dropped and resumes from the cursor later. */
  Pause: "PAUSE",
  Resume: "RESUME",
  /** A retry is scheduled after a failure. */
  Reconnect: "RECONNECT",
  /** Too many failures in a row: the watcher stopped for good. */
  GiveUp: "GIVE_UP",
} as const;
export type WatcherEvent = (typeof WatcherEvent)[keyof typeof WatcherEvent];

export interface WatcherEvents {
  CONNECT: [resourceVersion: string | undefined];
  LIST: [count: number, resourceVersion: string | undefined];
  VANISHED: [count: number];
  LIST_ERROR: [error: Error];
  DATA_ERROR: [error: Error];
  BOOKMARK: [resourceVersion: string];
  RELIST: [error: WatchExpiredError];
  PAUSE: [resourceVersion: string | undefined];
  RESUME: [resourceVersion: string | undefined];
  RECONNECT: [attempt: number, delayMs: number];
  GIVE_UP: [error: WatchGaveUpError];
}

/** Where a watcher hands objects; `offer` returning false pauses the watch. It must not throw. */
export interface WatchConsumer {
  offer(type: EnvelopeType, object: KubeObject): boolean;
  whenWritable(): Promise<void>;
}

export interface WatcherOptions {
  /** First delay before a retry after a failure; doubles up to `maxDelayMs`, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Re-lists after a 410 start within this random delay, so watches expired together do not list together. */
  relistJitterMs?: number;
  /** Consecutive failures before GIVE_UP. */
  maxFailures?: number;
  /** Server-side watch timeout; each stream picks a value between this and twice this, as client-go does. */
  timeoutSeconds?: number;
  /** A stream silent for this long (no event, no bookmark) is presumed dead; defaults to its timeout plus 30 s. */
  idleTimeoutMs?: number;
  /** Items per list page. */
  pageSize?: number;
}
