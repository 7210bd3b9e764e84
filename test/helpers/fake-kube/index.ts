/**
 * A fake kube-apiserver for tests that drive the real `@kubernetes/client-node`
 * over HTTP: lists, gets, writes, status patches and watches with replay,
 * bookmarks and 410 Expired, plus controls to inject the failures a real
 * cluster produces.
 */
import { FakeKubeApiServer, type FakeKubeApiServerOptions } from './server.js';

export {
  job,
  NAMESPACE,
  PIPELINE_RUNS_PATH,
  pipelineRun,
  recordWatch,
  statusOf,
  TEKTON,
  waitUntil,
  type ReceivedWatchEvent,
  type RecordedWatch,
  type WatchQuery,
} from './client.js';
export { FakeKubeApiServer, type FakeKubeApiServerOptions } from './server.js';
export { KubeStatusError, type KubeStatus } from './status.js';
export {
  DEFAULT_RESOURCES,
  WatchEventType,
  type FailureInjection,
  type KubeObject,
  type ObjectMeta,
  type ObjectRef,
  type RecordedRequest,
  type ResourceSelector,
  type ResourceType,
  type Verb,
} from './types.js';

/** Starts a server on a free loopback port; pair with `stop()` in `afterEach`/`afterAll`. */
export async function startFakeKubeApiServer(options?: FakeKubeApiServerOptions): Promise<FakeKubeApiServer> {
  return new FakeKubeApiServer(options).start();
}
