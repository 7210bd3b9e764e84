import type { ServerResponse } from 'node:http';
import type { ObjectPredicate } from './selector.js';
import { tooOldResourceVersion, type KubeStatus } from './status.js';
import type { ObjectStore } from './store.js';
import { apiVersionOf, type KubeObject, type ResourceType, type StoreEvent, type WatchEventType } from './types.js';

export interface WatchRequest {
  readonly resource: ResourceType;
  /** Undefined for a watch across all namespaces. */
  readonly namespace: string | undefined;
  readonly matches: ObjectPredicate;
  /** Undefined (or 0) starts with the current objects as ADDED events, like a real server. */
  readonly resourceVersion: number | undefined;
  readonly allowBookmarks: boolean;
  readonly timeoutSeconds: number | undefined;
}

interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject | KubeStatus;
}

function sameResource(a: ResourceType, b: ResourceType): boolean {
  return a.group === b.group && a.version === b.version && a.plural === b.plural;
}

/**
 * What a watcher with a selector sees of a store event. As in the apiserver's
 * cacher, an object that stops matching arrives as DELETED (its previous
 * content at the new revision) and one that starts matching as ADDED.
 */
function project(event: StoreEvent, request: WatchRequest): WatchEvent | undefined {
  if (!sameResource(event.resource, request.resource)) return undefined;
  if (request.namespace !== undefined && event.object.metadata?.namespace !== request.namespace) return undefined;
  const matchesNow = request.matches(event.object);
  if (event.type !== 'MODIFIED') return matchesNow ? { type: event.type, object: event.object } : undefined;
  const matchedBefore = event.previous !== undefined && request.matches(event.previous);
  if (matchesNow) return { type: matchedBefore ? 'MODIFIED' : 'ADDED', object: event.object };
  if (!matchedBefore || !event.previous) return undefined;
  const metadata = { ...event.previous.metadata, resourceVersion: String(event.resourceVersion) };
  return { type: 'DELETED', object: { ...event.previous, metadata } };
}

/**
 * One open watch response: newline-delimited JSON events over a chunked
 * response that stays open until the client leaves, the timeout passes or
 * the test ends or breaks it.
 */
export class WatchStream {
  readonly #store: ObjectStore;
  readonly #request: WatchRequest;
  readonly #response: ServerResponse;
  readonly #onClose: (stream: WatchStream) => void;
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  public constructor(store: ObjectStore, request: WatchRequest, response: ServerResponse, onClose: (stream: WatchStream) => void) {
    this.#store = store;
    this.#request = request;
    this.#response = response;
    this.#onClose = onClose;
    response.on('close', () => this.#cleanUp());
  }

  public start(): void {
    this.#response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    this.#response.flushHeaders();
    const { resourceVersion, timeoutSeconds } = this.#request;
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      this.#timer = setTimeout(() => this.end(), timeoutSeconds * 1000);
    }
    if (resourceVersion !== undefined && resourceVersion > 0 && resourceVersion < this.#store.compactedRevision) {
      // The stream then ends; clients must relist, which is the behaviour under test.
      this.#write({ type: 'ERROR', object: tooOldResourceVersion(resourceVersion, this.#store.compactedRevision) });
      this.end();
      return;
    }
    // Store writes are synchronous, so nothing can slip in between the replay and the subscription.
    if (resourceVersion === undefined || resourceVersion === 0) {
      for (const object of this.#store.list(this.#request.resource, this.#request.namespace)) {
        if (this.#request.matches(object)) this.#write({ type: 'ADDED', object });
      }
    } else {
      for (const event of this.#store.eventsSince(resourceVersion)) this.#forward(event);
    }
    this.#unsubscribe = this.#store.subscribe((event) => this.#forward(event));
  }

  /** Sent only to watches that asked for `allowWatchBookmarks`, as a real server does. */
  public bookmark(): void {
    if (!this.#request.allowBookmarks) return;
    const { resource } = this.#request;
    const object = { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata: { resourceVersion: String(this.#store.revision) } };
    this.#write({ type: 'BOOKMARK', object });
  }

  /** Ends the stream cleanly, as the server does at `timeoutSeconds` or shutdown. */
  public end(): void {
    if (this.#closed) return;
    this.#cleanUp();
    this.#response.end();
  }

  /** Drops the connection without the final chunk, as a failing load balancer would. */
  public break(): void {
    if (this.#closed) return;
    this.#cleanUp();
    this.#response.destroy();
  }

  #forward(event: StoreEvent): void {
    const watchEvent = project(event, this.#request);
    if (watchEvent) this.#write(watchEvent);
  }

  #write(event: WatchEvent): void {
    if (!this.#closed) this.#response.write(`${JSON.stringify(event)}\n`);
  }

  #cleanUp(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    clearTimeout(this.#timer);
    this.#onClose(this);
  }
}
