import { EventEmitter } from "node:events";
import { CustomObjectsApi, Watch, type KubeConfig } from "@kubernetes/client-node";
import type { EnvelopeType, KubeObject } from "../shared/envelope";
import { WatchExpiredError } from "./errors";

export const WatcherEvent = {
  Connect: "connect",
  Synced: "synced",
  ListError: "list-error",
  DataError: "data-error",
  Relist: "relist",
} as const;
export type WatcherEvent = (typeof WatcherEvent)[keyof typeof WatcherEvent];

export interface WatchTarget {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  labelSelector?: string;
}

export type ObjectCallback = (type: EnvelopeType, object: KubeObject) => Promise<void>;

export interface WatcherOptions {
  /** First delay before a reconnect or re-list; doubles up to `maxDelayMs`, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const isGone = (value: unknown): boolean => (value as { code?: unknown } | undefined)?.code === 410;

/**
 * List, then watch from the list's resourceVersion; reconnect from the last
 * delivered resourceVersion; re-list on 410 Gone. The cursor moves only after
 * the callback for an event resolved, so a failed callback is retried from
 * the watch, never skipped. Objects are not cached: the relay stays small.
 */
export class Watcher extends EventEmitter {
  readonly #kc: KubeConfig;
  readonly #target: WatchTarget;
  readonly #onObject: ObjectCallback;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  #resourceVersion: string | undefined;
  #abort: AbortController | undefined;
  #closed = false;
  #failures = 0;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(kc: KubeConfig, target: WatchTarget, onObject: ObjectCallback, options: WatcherOptions = {}) {
    super();
    this.#kc = kc;
    this.#target = target;
    this.#onObject = onObject;
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 30_000;
  }

  get path(): string {
    const { group, version, plural, namespace } = this.#target;
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
  }

  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /** Lists and delivers the current objects, then keeps watching in the background. */
  async start(): Promise<void> {
    await this.#list();
    await this.#watch();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort?.abort();
  }

  async #list(): Promise<void> {
    const api = this.#kc.makeApiClient(CustomObjectsApi);
    const { group, version, plural, namespace, labelSelector } = this.#target;
    const list = (namespace
      ? await api.listNamespacedCustomObject({ group, version, plural, namespace, labelSelector })
      : await api.listClusterCustomObject({ group, version, plural, labelSelector })) as {
      metadata?: { resourceVersion?: string };
      items?: KubeObject[];
    };
    // A list returns items without apiVersion and kind; the list's kind names them.
    const kind = ((list as { kind?: string }).kind ?? "").replace(/List$/, "");
    const apiVersion = group ? `${group}/${version}` : version;
    for (const item of list.items ?? []) {
      await this.#onObject("RESYNC", { ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind });
    }
    this.#resourceVersion = list.metadata?.resourceVersion;
    this.emit(WatcherEvent.Synced, list.items?.length ?? 0);
  }

  async #watch(): Promise<void> {
    if (this.#closed) return;
    const query = { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, labelSelector: this.#target.labelSelector };
    let expired = false;
    this.#abort = await new Watch(this.#kc).watch(
      this.path,
      query,
      (type: string, object: KubeObject) => {
        if (type === "BOOKMARK") {
          this.#chain = this.#chain.then(() => void (this.#resourceVersion = object.metadata.resourceVersion));
          return;
        }
        if (type === "ERROR") {
          expired ||= isGone(object);
          if (!expired) this.emit(WatcherEvent.DataError, new Error(JSON.stringify(object)));
          this.#abort?.abort();
          return;
        }
        this.#chain = this.#chain.then(async () => {
          if (this.#closed) return;
          await this.#onObject(type as EnvelopeType, object);
          this.#resourceVersion = object.metadata.resourceVersion;
          this.#failures = 0;
        });
        this.#chain.catch((error: unknown) => {
          this.emit(WatcherEvent.DataError, error);
          this.#abort?.abort();
        });
      },
      (error: unknown) => {
        void this.#chain
          .catch(() => undefined)
          .then(() => this.#reconnect(expired || isGone({ code: (error as { statusCode?: number } | null)?.statusCode }), error));
      },
    );
    this.emit(WatcherEvent.Connect, this.path);
  }

  #reconnect(gone: boolean, error: unknown): void {
    if (this.#closed) return;
    this.#chain = Promise.resolve();
    if (error) this.#failures++;
    const step = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** Math.min(this.#failures, 10));
    const delay = this.#failures === 0 && !gone ? 0 : step / 2 + Math.random() * (step / 2);
    this.#timer = setTimeout(() => {
      const next = gone ? this.#relist() : this.#watch();
      next.catch((err: unknown) => {
        this.emit(WatcherEvent.ListError, err);
        this.#failures++;
        this.#reconnect(gone, err);
      });
    }, delay);
  }

  async #relist(): Promise<void> {
    this.emit(WatcherEvent.Relist, new WatchExpiredError(this.path));
    this.#resourceVersion = undefined;
    await this.#list();
    await this.#watch();
  }
}
