import { EventEmitter } from "node:events";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { EnvelopeType, KubeObject } from "../shared/envelope";
import { Backoff, Delay } from "./backoff";
import { WatchExpiredError, WatchGaveUpError, WatchStreamError } from "./errors";
import type { KnownSet } from "./known/set";
import { listCollection } from "./list";
import { assertSupported, targetPath, type WatchTarget } from "./target";
import { openWatch, type OpenedWatch } from "./watch-stream";
import { WatcherEvent, type WatchConsumer, type WatcherEvents, type WatcherOptions } from "./watch-events";

export { WatcherEvent, type WatchConsumer, type WatcherEvents, type WatcherOptions } from "./watch-events";

type Outcome =
  | { kind: "ended" }
  | { kind: "expired" }
  | { kind: "paused" }
  | { kind: "closed" }
  | { kind: "failed"; error: Error };

const WATCH_EVENT_TYPES = new Set(["ADDED", "MODIFIED", "DELETED"]);

/**
 * Lists, then watches from the list's resourceVersion with bookmarks;
 * reconnects from the last resourceVersion handed over; re-lists on 410
 * Gone. The cursor moves only when the consumer took the event, so a full
 * consumer (`offer` false) pauses the watch without losing anything: the
 * stream is dropped, because a watch cannot pause, and reopened
 * from the cursor once the consumer has room. Objects are not cached.
 *
 * With a known-object set it also does what client-go's informers do with
 * `DeletedFinalStateUnknown`: after a complete list (the first one after a
 * start, or a re-list after 410 Gone), every remembered object the list no
 * longer has was deleted while no watch was open, and is handed over as
 * DELETED, before the watch starts from the list's resourceVersion.
 */
export class Watcher extends EventEmitter<WatcherEvents> {
  readonly #kc: KubeConfig;
  readonly #target: WatchTarget;
  readonly #consumer: WatchConsumer;
  readonly #options: Required<Omit<WatcherOptions, "idleTimeoutMs">> & { idleTimeoutMs?: number };
  readonly #backoff: Backoff;
  readonly #delay = new Delay();
  readonly #known: KnownSet | undefined;
  #resourceVersion: string | undefined;
  #closed = false;
  #synced = false;
  #running: Promise<void> | undefined;
  #abortStream: (() => void) | undefined;
  #onClose: (() => void) | undefined;
  readonly #firstSync: { resolve: () => void; reject: (error: Error) => void; promise: Promise<void> };

  constructor(kc: KubeConfig, target: WatchTarget, consumer: WatchConsumer, options: WatcherOptions = {}, known?: KnownSet) {
    super();
    assertSupported(target);
    this.#kc = kc;
    this.#known = known;
    this.#target = target;
    this.#consumer = consumer;
    this.#options = {
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      relistJitterMs: options.relistJitterMs ?? 1_000,
      maxFailures: options.maxFailures ?? 30,
      timeoutSeconds: options.timeoutSeconds ?? 300,
      idleTimeoutMs: options.idleTimeoutMs,
      pageSize: options.pageSize ?? 500,
    };
    this.#backoff = new Backoff({ baseMs: this.#options.baseDelayMs, maxMs: this.#options.maxDelayMs });
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    // start() may never be awaited; a give-up is reported through GIVE_UP as well.
    promise.catch(() => undefined);
    this.#firstSync = { resolve, reject, promise };
  }

  get path(): string {
    return targetPath(this.#target);
  }

  get target(): WatchTarget {
    return this.#target;
  }

  /** Where the next watch starts: the last resourceVersion handed over or bookmarked. */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /** True once the latest list completed; false again while a re-list after 410 is pending. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Starts listing and watching; resolves once the first list was handed over, rejects if the watcher gives up first. */
  start(): Promise<void> {
    this.#running ??= this.#run();
    return this.#firstSync.promise;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#delay.cancel();
    this.#abortStream?.();
    this.#onClose?.();
    this.#firstSync.resolve();
  }

  async #run(): Promise<void> {
    let needList = true;
    while (!this.#closed) {
      if (needList) {
        try {
          await this.#list();
          needList = false;
          this.#backoff.reset();
          this.#firstSync.resolve();
        } catch (error) {
          if (this.#closed) return;
          this.emit(WatcherEvent.ListError, error as Error);
          if (!(await this.#afterFailure(error as Error))) return;
          continue;
        }
        if (this.#closed) return;
      }
      const startedAt = Date.now();
      const outcome = await this.#watchOnce();
      if (this.#closed || outcome.kind === "closed") return;
      if (outcome.kind === "expired") {
        this.#synced = false;
        const error = new WatchExpiredError(this.path, this.#resourceVersion);
        this.#resourceVersion = undefined;
        needList = true;
        this.emit(WatcherEvent.Relist, error);
        await this.#delay.wait(Math.random() * this.#options.relistJitterMs);
      } else if (outcome.kind === "paused") {
        this.emit(WatcherEvent.Pause, this.#resourceVersion);
        await Promise.race([this.#consumer.whenWritable(), new Promise<void>((resolve) => (this.#onClose = resolve))]);
        this.#onClose = undefined;
        if (!this.#closed) this.emit(WatcherEvent.Resume, this.#resourceVersion);
      } else if (outcome.kind === "failed") {
        this.emit(WatcherEvent.DataError, outcome.error);
        if (!(await this.#afterFailure(outcome.error))) return;
      } else if (Date.now() - startedAt < 1_000) {
        // A server or proxy that closes every stream at once would otherwise be hammered.
        await this.#delay.wait(this.#backoff.next());
      }
    }
  }

  /** Waits out the backoff; false when the watcher gave up or was closed meanwhile. */
  async #afterFailure(error: Error): Promise<boolean> {
    if (this.#backoff.failures >= this.#options.maxFailures) {
      const gaveUp = new WatchGaveUpError(this.path, this.#backoff.failures, { cause: error });
      this.#closed = true;
      this.emit(WatcherEvent.GiveUp, gaveUp);
      this.#firstSync.reject(gaveUp);
      return false;
    }
    const delay = this.#backoff.next();
    this.emit(WatcherEvent.Reconnect, this.#backoff.failures, delay);
    await this.#delay.wait(delay);
    return !this.#closed;
  }

  async #list(): Promise<void> {
    const api = this.#kc.makeApiClient(CustomObjectsApi);
    const listed = this.#known ? new Set<string>() : undefined;
    const { resourceVersion, count } = await listCollection(
      api,
      this.#target,
      async (object) => {
        if (await this.#handOver("RESYNC", object)) listed?.add(object.metadata?.uid ?? "");
      },
      this.#options.pageSize,
    );
    // Only a complete list proves absence: a failed one threw above, a closed watcher handed over only part.
    if (this.#closed) return;
    const vanished = listed ? this.#known!.vanished(listed) : [];
    for (const tombstone of vanished) if (!(await this.#handOver("DELETED", tombstone))) return;
    this.#resourceVersion = resourceVersion;
    this.#synced = true;
    this.emit(WatcherEvent.List, count, resourceVersion);
    if (vanished.length > 0) this.emit(WatcherEvent.Vanished, vanished.length);
  }

  /** Offers until the consumer takes it (waiting for room); false when closed first. */
  async #handOver(type: EnvelopeType, object: KubeObject): Promise<boolean> {
    while (!this.#closed) {
      if (this.#consumer.offer(type, object)) {
        this.#known?.observe(type, object);
        return true;
      }
      await this.#consumer.whenWritable();
    }
    return false;
  }

  /** One watch stream, from open to end; resolves with why it ended. */
  #watchOnce(): Promise<Outcome> {
    const { timeoutSeconds } = this.#options;
    const streamTimeout = Math.round(timeoutSeconds * (1 + Math.random()));
    const idleMs = this.#options.idleTimeoutMs ?? (streamTimeout + 30) * 1000;
    const query = {
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      labelSelector: this.#target.labelSelector,
      timeoutSeconds: streamTimeout,
    };
    return new Promise<Outcome>((resolve) => {
      let outcome: Outcome | undefined;
      let controller: OpenedWatch | undefined;
      let finished = false;
      let idle: NodeJS.Timeout | undefined;
      const decide = (next: Outcome): void => {
        outcome ??= next;
        controller?.abort();
      };
      const finish = (error: unknown): void => {
        if (finished) return;
        finished = true;
        clearTimeout(idle);
        this.#abortStream = undefined;
        resolve(outcome ?? this.#classify(error));
      };
      // One timer per stream, moved on only when it fires: re-arming it on every event cost more than the event.
      let lastData = Date.now();
      const touch = (): void => void (lastData = Date.now());
      const check = (): void => {
        const quietMs = Date.now() - lastData;
        if (quietMs < idleMs) idle = setTimeout(check, idleMs - quietMs);
        else decide({ kind: "failed", error: new WatchStreamError(this.path, `no data for ${idleMs} ms`) });
      };
      this.#abortStream = () => decide({ kind: "closed" });
      idle = setTimeout(check, idleMs);
      openWatch(this.#kc, this.path, query, {
        onOpen: () => {
          if (!outcome) this.emit(WatcherEvent.Connect, query.resourceVersion);
        },
        onEvent: (type, object) => {
          if (outcome) return;
          touch();
          const next = this.#onEvent(type, object as KubeObject);
          if (next) decide(next);
        },
        done: finish,
      }).then((opened) => {
        controller = opened;
        if (outcome) opened.abort();
      }, finish);
    });
  }

  /** Handles one event; returns an outcome when the stream must end. */
  #onEvent(type: string, object: KubeObject): Outcome | undefined {
    if (type === "BOOKMARK") {
      const resourceVersion = object.metadata?.resourceVersion;
      if (resourceVersion) {
        this.#resourceVersion = resourceVersion;
        this.emit(WatcherEvent.Bookmark, resourceVersion);
      }
      return undefined;
    }
    if (type === "ERROR") {
      const status = object as unknown as { code?: number; message?: string };
      if (status.code === 410) return { kind: "expired" };
      const error = new WatchStreamError(this.path, `ERROR event: ${status.message ?? JSON.stringify(object)}`, { statusCode: status.code });
      return { kind: "failed", error };
    }
    if (!WATCH_EVENT_TYPES.has(type)) return undefined;
    if (!this.#consumer.offer(type as EnvelopeType, object)) return { kind: "paused" };
    this.#known?.observe(type as EnvelopeType, object);
    this.#resourceVersion = object.metadata?.resourceVersion ?? this.#resourceVersion;
    // A delivered event proves the stream works: give-up counts consecutive failures only.
    this.#backoff.reset();
    return undefined;
  }

  #classify(error: unknown): Outcome {
    if (this.#closed) return { kind: "closed" };
    if (error === null || error === undefined) return { kind: "ended" };
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (statusCode === 410) return { kind: "expired" };
    const message = (error as Error).message || String(error);
    return { kind: "failed", error: new WatchStreamError(this.path, message, { cause: error, statusCode }) };
  }
}
