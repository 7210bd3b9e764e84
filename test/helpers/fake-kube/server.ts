import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { handleApiRequest } from './handlers.js';
import { mergePatch } from './patch.js';
import { parseRoute, verbOf, type Route } from './routes.js';
import { conflict, failureStatus, KubeStatusError, reasonFor, unknownPath, type KubeStatus } from './status.js';
import { ObjectStore } from './store.js';
import {
  DEFAULT_RESOURCES,
  type FailureInjection,
  type KubeObject,
  type ObjectRef,
  type RecordedRequest,
  type ResourceSelector,
  type ResourceType,
  type Verb,
} from './types.js';
import { WatchStream } from './watch.js';

export interface FakeKubeApiServerOptions {
  /** Bearer token the server demands and the generated kubeconfig carries; defaults to `fake-kube-token`. */
  readonly token?: string;
  /** Events kept for watch replay; defaults to 1000. */
  readonly historyLimit?: number;
  /** Registers Jobs, Tekton, Argo Workflows and gitops-promoter kinds; defaults to `true`. */
  readonly defaultResources?: boolean;
  /** Namespace of the kubeconfig context; defaults to `default`. */
  readonly namespace?: string;
}

const CONTEXT = 'fake-kube';

/**
 * An in-process stand-in for kube-apiserver that speaks its wire protocol, so
 * the real `@kubernetes/client-node` can be tested against it, with controls
 * for what a real cluster does to clients: writes by others, dropped watches,
 * compacted history and failing requests.
 */
export class FakeKubeApiServer {
  readonly #store: ObjectStore;
  readonly #token: string;
  readonly #namespace: string;
  readonly #watches = new Set<WatchStream>();
  readonly #requests: RecordedRequest[] = [];
  #failures: { injection: FailureInjection; remaining: number }[] = [];
  #server: Server | undefined;

  public constructor(options: FakeKubeApiServerOptions = {}) {
    this.#store = new ObjectStore({ historyLimit: options.historyLimit });
    this.#token = options.token ?? 'fake-kube-token';
    this.#namespace = options.namespace ?? 'default';
    if (options.defaultResources ?? true) DEFAULT_RESOURCES.forEach((resource) => this.#store.register(resource));
  }

  public async start(): Promise<this> {
    if (this.#server) return this;
    const server = createServer((request, response) => {
      // A client that hangs up mid-body leaves nothing to answer.
      this.#serve(request, response).catch(() => response.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.#server = server;
    return this;
  }

  public async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const watch of this.#watches) watch.end();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Idle keep-alive sockets would otherwise hold `close` open until they time out.
    server.closeAllConnections();
    await closed;
  }

  public get url(): string {
    if (!this.#server) throw new Error('fake-kube: the server is not started');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Every request received, oldest first, including refused ones. */
  public get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  public clearRequests(): void {
    this.#requests.length = 0;
  }

  /** The current global resourceVersion, as a list would report it. */
  public get resourceVersion(): string {
    return String(this.#store.revision);
  }

  public get openWatches(): number {
    return this.#watches.size;
  }

  public registerResource(resource: ResourceType): void {
    this.#store.register(resource);
  }

  /** Creates or replaces an object, status included, as another cluster actor would; needs `apiVersion` and `kind`. */
  public apply(object: KubeObject): KubeObject {
    if (!object.apiVersion || !object.kind) throw new Error('fake-kube: apply() needs apiVersion and kind');
    const resource = this.#store.resolve({ apiVersion: object.apiVersion, kind: object.kind });
    const namespace = this.#namespaceOf(resource, object.metadata?.namespace);
    const { resourceVersion: _resourceVersion, ...metadata } = object.metadata ?? {};
    const body = { ...object, metadata: { ...metadata, ...(resource.namespaced === false ? {} : { namespace }) } };
    const name = metadata.name ?? '';
    return this.#store.get(resource, namespace, name)
      ? this.#store.update(resource, namespace, name, body, 'all')
      : this.#store.create(resource, namespace, body);
  }

  /** Merge-patches `status` as a controller would, leaving `generation` alone. */
  public patchStatus(ref: ObjectRef, status: unknown): KubeObject {
    const resource = this.#store.resolve(ref);
    const namespace = this.#namespaceOf(resource, ref.namespace);
    return this.#store.patch(resource, namespace, ref.name, (current) => mergePatch(current, { status }), 'status');
  }

  /** Deletes like `kubectl delete`: an object with finalizers is only marked. Undefined when absent. */
  public remove(ref: ObjectRef): KubeObject | undefined {
    const resource = this.#store.resolve(ref);
    const namespace = this.#namespaceOf(resource, ref.namespace);
    if (!this.#store.get(resource, namespace, ref.name)) return undefined;
    return this.#store.delete(resource, namespace, ref.name);
  }

  public get(ref: ObjectRef): KubeObject | undefined {
    const resource = this.#store.resolve(ref);
    return this.#store.get(resource, this.#namespaceOf(resource, ref.namespace), ref.name);
  }

  /** Objects of a kind in one namespace, or in all when `namespace` is omitted. */
  public list(selector: ResourceSelector, namespace?: string): KubeObject[] {
    return this.#store.list(this.#store.resolve(selector), namespace);
  }

  /** Drops every open watch connection mid-stream; clients see a premature close. */
  public breakWatches(): void {
    for (const watch of [...this.#watches]) watch.break();
  }

  /** Compacts history: a watch from any resourceVersion older than now gets 410 Expired. */
  public expireHistory(): void {
    this.#store.expireHistory();
  }

  /** Sends a BOOKMARK at the current resourceVersion to watches that allow bookmarks. */
  public sendBookmarks(): void {
    for (const watch of this.#watches) watch.bookmark();
  }

  /** Answers the next `times` matching requests with a failure Status instead of serving them. */
  public failNext(injection: FailureInjection): void {
    this.#failures.push({ injection, remaining: injection.times ?? 1 });
  }

  /** Resolves once at least `count` watches are open, so a test can write after the client listens. */
  public async waitForWatches(count = 1, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#watches.size < count) {
      if (Date.now() > deadline) throw new Error(`fake-kube: ${this.#watches.size} of ${count} watches opened in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  public kubeconfigYaml(): string {
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node 1.x refuses an `http:` server unless TLS verification is switched off
      // (`KubeConfig.createAgent`), although there is no TLS to verify.
      clusters: [{ name: CONTEXT, cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: CONTEXT, user: { token: this.#token } }],
      contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT, namespace: this.#namespace } }],
      'current-context': CONTEXT,
    });
  }

  public kubeConfig(): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(this.kubeconfigYaml());
    return kubeConfig;
  }

  #namespaceOf(resource: ResourceType, namespace: string | undefined): string {
    return resource.namespaced === false ? '' : (namespace ?? this.#namespace);
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://fake-kube');
    const query = Object.fromEntries(url.searchParams);
    const route = parseRoute(url.pathname, this.#store);
    const verb = verbOf(request.method ?? 'GET', route, query.watch === 'true' || query.watch === '1');
    const contentType = request.headers['content-type']?.split(';')[0]?.trim();
    let body: unknown;
    let parseError: KubeStatusError | undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
      parseError = new KubeStatusError(failureStatus(400, `the request body is not valid JSON`));
    }
    this.#requests.push({ method: request.method ?? 'GET', path: url.pathname, query, contentType, body, verb });

    try {
      if (request.headers.authorization !== `Bearer ${this.#token}`) throw new KubeStatusError(failureStatus(401, 'Unauthorized'));
      if (!route) throw unknownPath();
      if (!verb) throw new KubeStatusError(failureStatus(405, 'the server does not allow this method on the requested resource'));
      this.#injectedFailure(route, verb);
      if (parseError) throw parseError;
      const result = handleApiRequest(this.#store, { route, verb, query, contentType, body });
      if ('watch' in result) {
        const stream = new WatchStream(this.#store, result.watch, response, (closed) => this.#watches.delete(closed));
        this.#watches.add(stream);
        stream.start();
        return;
      }
      this.#respond(response, result.code, result.body);
    } catch (error) {
      const status: KubeStatus =
        error instanceof KubeStatusError ? error.status : failureStatus(500, error instanceof Error ? error.message : String(error));
      this.#respond(response, status.code, status);
    }
  }

  #injectedFailure(route: Route, verb: Verb): void {
    const plural = route.kind === 'discovery' ? undefined : route.resource.plural;
    const subresource = route.kind === 'object' ? route.subresource : undefined;
    const match = this.#failures.find(
      ({ injection }) =>
        (injection.verb === undefined || injection.verb === verb) &&
        (injection.plural === undefined || injection.plural === plural) &&
        (injection.subresource === undefined || injection.subresource === subresource),
    );
    if (!match) return;
    match.remaining -= 1;
    this.#failures = this.#failures.filter((failure) => failure.remaining > 0);
    const { code, reason, message } = match.injection;
    if (code === 409 && route.kind === 'object' && !reason && !message) throw conflict(route.resource, route.name);
    const text = message ?? `injected ${code} for ${verb} ${plural ?? ''}`.trim();
    throw new KubeStatusError(failureStatus(code, text, reason ?? reasonFor(code)));
  }

  #respond(response: ServerResponse, code: number, body: unknown): void {
    const payload = JSON.stringify(body);
    response.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    response.end(payload);
  }
}
