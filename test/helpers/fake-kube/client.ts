/**
 * Small helpers for tests that drive the fake with the real client: they
 * turn the client's callback-style watch and its `ApiException` into values
 * a test can assert on, and build the PipelineRuns and Jobs the fake's own
 * tests write.
 */
import { ApiException, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { KubeStatus } from './status.js';
import type { KubeObject, WatchEventType } from './types.js';

export interface ReceivedWatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

export interface RecordedWatch {
  /** Events in arrival order; grows while the watch is open. */
  readonly events: ReceivedWatchEvent[];
  /** Settles with what the client passed to its `done` callback: `null` for a clean end, an error otherwise. */
  readonly done: Promise<unknown>;
  readonly controller: AbortController;
}

export type WatchQuery = Record<string, string | number | boolean | undefined>;

/** Opens a watch with the client's own `Watch` and records what it delivers. */
export async function recordWatch(kubeConfig: KubeConfig, path: string, query: WatchQuery = {}): Promise<RecordedWatch> {
  const events: ReceivedWatchEvent[] = [];
  let finish: (error: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => {
    finish = resolve;
  });
  const controller = await new Watch(kubeConfig).watch(
    path,
    query,
    (type: string, object: KubeObject) => events.push({ type: type as WatchEventType, object }),
    (error: unknown) => finish(error),
  );
  return { events, done, controller };
}

/** Polls instead of sleeping a fixed time, so tests stay as fast as the loopback allows. */
export async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The `Status` a failed client call received. client-node 1.x keeps the
 * response body of an `ApiException` as unparsed text.
 */
export function statusOf(error: unknown): KubeStatus {
  if (!(error instanceof ApiException)) throw new Error(`expected an ApiException, got ${String(error)}`);
  const body: unknown = error.body;
  return (typeof body === 'string' ? JSON.parse(body) : body) as KubeStatus;
}

/** Tekton PipelineRuns as `CustomObjectsApi` names them, in the namespace the fake's own tests write to. */
export const TEKTON = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' } as const;
export const NAMESPACE = 'ci';

export function pipelineRun(name: string, overrides: { namespace?: string; labels?: Record<string, string>; status?: unknown } = {}): KubeObject {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace: overrides.namespace ?? NAMESPACE, labels: overrides.labels ?? { app: 'shop' } },
    spec: { pipelineRef: { name: 'build' } },
    ...(overrides.status === undefined ? {} : { status: overrides.status }),
  };
}

export function job(name: string, namespace: string): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace }, spec: { template: { spec: { containers: [] } } } };
}

export const PIPELINE_RUNS_PATH = `/apis/tekton.dev/v1/namespaces/${NAMESPACE}/pipelineruns`;
