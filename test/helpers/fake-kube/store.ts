import { randomBytes, randomUUID } from 'node:crypto';
import { deepEqual, PatchError } from './patch.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  failureStatus,
  invalid,
  KubeStatusError,
  notFound,
} from './status.js';
import { apiVersionOf, type KubeObject, type ResourceSelector, type ResourceType, type StoreEvent } from './types.js';

/**
 * Which parts of a written object the store takes. Clients writing the main
 * resource cannot change `status` and status writes cannot change anything
 * else, as with a CRD that declares the status subresource; tests writing
 * through the fake's controls may change both at once.
 */
export type WriteScope = 'main' | 'status' | 'all';

export interface ObjectStoreOptions {
  /** How many events a watch can replay before it gets 410 Expired; defaults to 1000. */
  readonly historyLimit?: number;
}

type Listener = (event: StoreEvent) => void;

const resourceKey = (group: string, version: string, plural: string): string => `${group}/${version}/${plural}`;
const objectKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** RFC 3339 at second precision, the only precision `metav1.Time` serialises. */
const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Everything the API server counts as a change of desired state, which bumps `metadata.generation`. */
function desiredState(object: KubeObject): KubeObject {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

function withoutResourceVersion(object: KubeObject): KubeObject {
  const { resourceVersion: _resourceVersion, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}

/**
 * An etcd stand-in: objects per resource and namespace, one global revision
 * that every write advances, and a bounded history of events for watchers.
 */
export class ObjectStore {
  readonly #resources = new Map<string, ResourceType>();
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #listeners = new Set<Listener>();
  readonly #historyLimit: number;
  #history: StoreEvent[] = [];
  #revision = 0;
  #compactedRevision = 0;

  public constructor(options: ObjectStoreOptions = {}) {
    this.#historyLimit = options.historyLimit ?? 1000;
  }

  public register(resource: ResourceType): void {
    const key = resourceKey(resource.group, resource.version, resource.plural);
    this.#resources.set(key, { ...resource, namespaced: resource.namespaced ?? true });
    if (!this.#objects.has(key)) this.#objects.set(key, new Map());
  }

  public get resources(): ResourceType[] {
    return [...this.#resources.values()];
  }

  public find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#resources.get(resourceKey(group, version, plural));
  }

  public resolve(selector: ResourceSelector): ResourceType {
    const resource =
      'plural' in selector
        ? this.find(selector.group, selector.version, selector.plural)
        : this.resources.find((candidate) => apiVersionOf(candidate) === selector.apiVersion && candidate.kind === selector.kind);
    if (!resource) throw new Error(`fake-kube: resource ${JSON.stringify(selector)} is not registered`);
    return resource;
  }

  public get revision(): number {
    return this.#revision;
  }

  /** Watches from a resourceVersion below this one have missed events and must get 410 Expired. */
  public get compactedRevision(): number {
    return this.#compactedRevision;
  }

  public eventsSince(resourceVersion: number): StoreEvent[] {
    return this.#history.filter((event) => event.resourceVersion > resourceVersion);
  }

  public subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forgets every retained event, as an etcd compaction does. */
  public expireHistory(): void {
    this.#history = [];
    this.#compactedRevision = this.#revision;
  }

  public get(resource: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const object = this.#bucket(resource).get(objectKey(namespace, name));
    return object && structuredClone(object);
  }

  /** All objects of a kind, in one namespace or (namespace undefined) across all of them. */
  public list(resource: ResourceType, namespace?: string): KubeObject[] {
    return [...this.#bucket(resource).entries()]
      .filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, object]) => structuredClone(object));
  }

  public create(resource: ResourceType, namespace: string, body: KubeObject): KubeObject {
    const metadata = { ...body.metadata };
    const generated = metadata.generateName ? `${String(metadata.generateName)}${randomBytes(3).toString('hex').slice(0, 5)}` : undefined;
    const name = metadata.name ?? generated;
    if (!name) throw invalid(resource, '', 'metadata.name: Required value: name or generateName is required');
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (metadata.resourceVersion) {
      // etcd3's store refuses this with a plain error, which the apiserver reports as a 500.
      throw new KubeStatusError(failureStatus(500, 'resourceVersion should not be set on objects to be created'));
    }
    const bucket = this.#bucket(resource);
    if (bucket.has(objectKey(namespace, name))) throw alreadyExists(resource, name);
    const object: KubeObject = {
      ...structuredClone(body),
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      metadata: {
        ...structuredClone(metadata),
        name,
        ...(resource.namespaced === false ? {} : { namespace }),
        uid: metadata.uid ?? randomUUID(),
        generation: 1,
        creationTimestamp: now(),
        resourceVersion: String(++this.#revision),
      },
    };
    bucket.set(objectKey(namespace, name), object);
    this.#emit({ type: 'ADDED', resource, resourceVersion: this.#revision, object });
    return structuredClone(object);
  }

  /**
   * Replaces an object. A `metadata.resourceVersion` in the body is a
   * precondition; `requireResourceVersion` reproduces CRDs' refusal of
   * unconditional updates.
   */
  public update(
    resource: ResourceType,
    namespace: string,
    name: string,
    body: KubeObject,
    scope: WriteScope,
    requireResourceVersion = false,
  ): KubeObject {
    const current = this.#bucket(resource).get(objectKey(namespace, name));
    if (!current) throw notFound(resource, name);
    if (body.metadata?.name !== undefined && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    const requested = body.metadata?.resourceVersion;
    if (requested === undefined && requireResourceVersion) {
      throw invalid(resource, name, 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    }
    if (requested !== undefined && requested !== current.metadata?.resourceVersion) throw conflict(resource, name);

    const next = this.#compose(current, structuredClone(body), scope);
    if (!deepEqual(desiredState(current), desiredState(next))) {
      next.metadata = { ...next.metadata, generation: (current.metadata?.generation ?? 0) + 1 };
    }
    // The apiserver skips writes that change nothing: no new revision, no event.
    if (deepEqual(withoutResourceVersion(current), withoutResourceVersion(next))) return structuredClone(current);

    const finalized = current.metadata?.deletionTimestamp !== undefined && (next.metadata?.finalizers ?? []).length === 0;
    if (finalized) return this.#remove(resource, namespace, name, next);
    next.metadata = { ...next.metadata, resourceVersion: String(++this.#revision) };
    this.#bucket(resource).set(objectKey(namespace, name), next);
    this.#emit({ type: 'MODIFIED', resource, resourceVersion: this.#revision, object: next, previous: current });
    return structuredClone(next);
  }

  /**
   * Applies a patch function to the stored object. As in the apiserver, the
   * patched object's `resourceVersion` is the precondition, so a patch that
   * names a stale version (merge or JSON patch alike) fails with 409.
   */
  public patch(
    resource: ResourceType,
    namespace: string,
    name: string,
    applyPatch: (current: KubeObject) => unknown,
    scope: WriteScope,
  ): KubeObject {
    const current = this.get(resource, namespace, name);
    if (!current) throw notFound(resource, name);
    let patched: unknown;
    try {
      patched = applyPatch(current);
    } catch (error) {
      if (error instanceof PatchError) throw invalid(resource, name, error.message);
      throw error;
    }
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
      throw invalid(resource, name, 'the patched document is not an object');
    }
    const object = patched as KubeObject;
    const metadata = { ...object.metadata, resourceVersion: object.metadata?.resourceVersion ?? current.metadata?.resourceVersion };
    return this.update(resource, namespace, name, { ...object, metadata }, scope);
  }

  /**
   * Deletes an object, or only marks it with `deletionTimestamp` while it
   * still has finalizers; the last finalizer's removal (an update) deletes it.
   */
  public delete(resource: ResourceType, namespace: string, name: string, precondition?: string): KubeObject {
    const current = this.#bucket(resource).get(objectKey(namespace, name));
    if (!current) throw notFound(resource, name);
    if (precondition !== undefined && precondition !== current.metadata?.resourceVersion) throw conflict(resource, name);
    if ((current.metadata?.finalizers ?? []).length === 0) return this.#remove(resource, namespace, name, current);
    if (current.metadata?.deletionTimestamp !== undefined) return structuredClone(current);
    const marked = structuredClone(current);
    marked.metadata = { ...marked.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: 0 };
    return this.update(resource, namespace, name, marked, 'all');
  }

  #compose(current: KubeObject, body: KubeObject, scope: WriteScope): KubeObject {
    if (scope === 'status') return { ...structuredClone(current), status: body.status };
    const next: KubeObject = { ...body, apiVersion: current.apiVersion, kind: current.kind };
    if (scope === 'main') {
      if (current.status === undefined) delete next.status;
      else next.status = structuredClone(current.status);
    }
    const { uid, creationTimestamp, generation, namespace } = current.metadata ?? {};
    const { deletionTimestamp: _timestamp, deletionGracePeriodSeconds: _grace, ...requested } = body.metadata ?? {};
    // Only a delete starts a deletion, and it cannot be undone by a write.
    const deletion = current.metadata?.deletionTimestamp !== undefined || scope !== 'all' ? current.metadata : body.metadata;
    // Fields the server owns: a client cannot change them by sending other values.
    next.metadata = {
      ...requested,
      name: current.metadata?.name,
      ...(namespace === undefined ? {} : { namespace }),
      uid,
      creationTimestamp,
      generation,
      ...(deletion?.deletionTimestamp === undefined
        ? {}
        : { deletionTimestamp: deletion.deletionTimestamp, deletionGracePeriodSeconds: deletion.deletionGracePeriodSeconds }),
      resourceVersion: current.metadata?.resourceVersion,
    };
    return next;
  }

  #remove(resource: ResourceType, namespace: string, name: string, last: KubeObject): KubeObject {
    this.#bucket(resource).delete(objectKey(namespace, name));
    // A DELETED event carries the revision of the deletion, not of the last write.
    const object: KubeObject = { ...structuredClone(last), metadata: { ...last.metadata, resourceVersion: String(++this.#revision) } };
    this.#emit({ type: 'DELETED', resource, resourceVersion: this.#revision, object });
    return structuredClone(object);
  }

  #bucket(resource: ResourceType): Map<string, KubeObject> {
    const bucket = this.#objects.get(resourceKey(resource.group, resource.version, resource.plural));
    if (!bucket) throw new Error(`fake-kube: resource ${resource.plural} is not registered`);
    return bucket;
  }

  #emit(event: StoreEvent): void {
    this.#history.push(event);
    while (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.shift();
      if (dropped) this.#compactedRevision = dropped.resourceVersion;
    }
    for (const listener of this.#listeners) listener(event);
  }
}
