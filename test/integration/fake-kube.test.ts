import {
  ApiException,
  BatchV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig as KubeConfigType,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  recordWatch,
  startFakeKubeApiServer,
  statusOf,
  waitUntil,
  type FakeKubeApiServer,
  type KubeObject,
} from '../helpers/fake-kube/index.js';

const TEKTON = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' } as const;
const NAMESPACE = 'ci';

function pipelineRun(name: string, overrides: { namespace?: string; labels?: Record<string, string>; status?: unknown } = {}): KubeObject {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace: overrides.namespace ?? NAMESPACE, labels: overrides.labels ?? { app: 'shop' } },
    spec: { pipelineRef: { name: 'build' } },
    ...(overrides.status === undefined ? {} : { status: overrides.status }),
  };
}

function job(name: string, namespace: string): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace }, spec: { template: { spec: { containers: [] } } } };
}

const PIPELINE_RUNS_PATH = `/apis/tekton.dev/v1/namespaces/${NAMESPACE}/pipelineruns`;

describe('Class: FakeKubeApiServer', () => {
  let server: FakeKubeApiServer;
  let kubeConfig: KubeConfigType;

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
    kubeConfig = server.kubeConfig();
  });

  afterEach(async () => {
    await server.stop();
  });

  describe('Method: apply', () => {
    it('returns an object with uid, generation 1, creationTimestamp and a resourceVersion when created', () => {
      // Prepare
      const before = Number(server.resourceVersion);

      // Act
      const created = server.apply(pipelineRun('build-1'));

      // Assess
      expect(created.metadata).toMatchObject({ name: 'build-1', namespace: NAMESPACE, generation: 1 });
      expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata?.creationTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(before);
    });

    it('returns the next generation when the spec of an existing object changes', () => {
      // Prepare
      const created = server.apply(pipelineRun('build-1'));

      // Act
      const updated = server.apply({ ...pipelineRun('build-1'), spec: { pipelineRef: { name: 'release' } } });

      // Assess
      expect(updated.metadata?.generation).toBe(2);
      expect(updated.metadata?.uid).toBe(created.metadata?.uid);
    });
  });

  describe('Method: list (GET collection)', () => {
    it('returns a PipelineRunList with the namespace items when listed with CustomObjectsApi', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      server.apply(pipelineRun('build-2'));
      server.apply(pipelineRun('elsewhere', { namespace: 'other' }));
      const api = kubeConfig.makeApiClient(CustomObjectsApi);

      // Act
      const list = (await api.listNamespacedCustomObject({ ...TEKTON, namespace: NAMESPACE })) as {
        kind: string;
        apiVersion: string;
        metadata: { resourceVersion: string };
        items: KubeObject[];
      };

      // Assess
      expect(list.kind).toBe('PipelineRunList');
      expect(list.apiVersion).toBe('tekton.dev/v1');
      expect(list.metadata.resourceVersion).toBe(server.resourceVersion);
      expect(list.items.map((item) => item.metadata?.name)).toEqual(['build-1', 'build-2']);
    });

    it('returns only matching items when a labelSelector with equality and inequality terms is given', async () => {
      // Prepare
      server.apply(pipelineRun('shop-main', { labels: { app: 'shop', branch: 'main' } }));
      server.apply(pipelineRun('shop-pr', { labels: { app: 'shop', branch: 'pr-7' } }));
      server.apply(pipelineRun('blog-main', { labels: { app: 'blog', branch: 'main' } }));
      const api = kubeConfig.makeApiClient(CustomObjectsApi);

      // Act
      const list = (await api.listNamespacedCustomObject({ ...TEKTON, namespace: NAMESPACE, labelSelector: 'app=shop,branch!=main' })) as {
        items: KubeObject[];
      };

      // Assess
      expect(list.items.map((item) => item.metadata?.name)).toEqual(['shop-pr']);
    });

    it('returns Jobs of one namespace through BatchV1Api and of all namespaces, in key order, on the cluster-wide path', async () => {
      // Prepare
      server.apply(job('unit-tests', NAMESPACE));
      server.apply(job('nightly', 'ops'));
      const api = kubeConfig.makeApiClient(BatchV1Api);

      // Act
      const namespaced = await api.listNamespacedJob({ namespace: NAMESPACE });
      const everywhere = await api.listJobForAllNamespaces();

      // Assess
      expect(namespaced.items.map((item) => item.metadata?.name)).toEqual(['unit-tests']);
      expect(everywhere.items.map((item) => item.metadata?.namespace)).toEqual([NAMESPACE, 'ops']);
    });
  });

  describe('Method: get (GET object)', () => {
    it('returns a 404 NotFound Status when the object does not exist', async () => {
      // Prepare
      const api = kubeConfig.makeApiClient(CustomObjectsApi);

      // Act
      const error = await api
        .getNamespacedCustomObject({ ...TEKTON, namespace: NAMESPACE, name: 'missing' })
        .catch((caught: unknown) => caught);

      // Assess
      expect(statusOf(error)).toMatchObject({
        kind: 'Status',
        code: 404,
        reason: 'NotFound',
        message: 'pipelineruns.tekton.dev "missing" not found',
      });
    });

    it('returns a 404 Status when the path names no registered resource', async () => {
      // Prepare
      const headers = { Authorization: 'Bearer fake-kube-token' };

      // Act
      const response = await fetch(`${server.url}/apis/example.com/v1/namespaces/ci/widgets`, { headers });

      // Assess
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
    });
  });

  describe('Method: create (POST)', () => {
    it('returns a 409 AlreadyExists Status when the name is taken', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      const api = kubeConfig.makeApiClient(CustomObjectsApi);

      // Act
      const error = await api
        .createNamespacedCustomObject({ ...TEKTON, namespace: NAMESPACE, body: pipelineRun('build-1') })
        .catch((caught: unknown) => caught);

      // Assess
      expect(statusOf(error)).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    });
  });

  describe('Method: update (PUT)', () => {
    it('returns the next generation with the stored status when the spec is replaced', async () => {
      // Prepare
      const created = server.apply(pipelineRun('build-1', { status: { phase: 'Running' } }));
      const api = kubeConfig.makeApiClient(CustomObjectsApi);
      const body = { ...created, spec: { pipelineRef: { name: 'release' } }, status: { phase: 'Forged' } };

      // Act
      const replaced = (await api.replaceNamespacedCustomObject({ ...TEKTON, namespace: NAMESPACE, name: 'build-1', body })) as KubeObject;

      // Assess
      expect(replaced.spec).toEqual({ pipelineRef: { name: 'release' } });
      expect(replaced.status).toEqual({ phase: 'Running' });
      expect(replaced.metadata?.generation).toBe(2);
    });

    it('returns a 422 Invalid Status when a custom resource is replaced without a resourceVersion', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      const api = kubeConfig.makeApiClient(CustomObjectsApi);

      // Act
      const error = await api
        .replaceNamespacedCustomObject({ ...TEKTON, namespace: NAMESPACE, name: 'build-1', body: pipelineRun('build-1') })
        .catch((caught: unknown) => caught);

      // Assess
      expect(statusOf(error)).toMatchObject({ code: 422, reason: 'Invalid' });
    });
  });

  describe('Method: delete (DELETE)', () => {
    it('returns the object marked for deletion, and removes it once its last finalizer goes, when it has finalizers', async () => {
      // Prepare
      const withFinalizer = pipelineRun('build-1');
      server.apply({ ...withFinalizer, metadata: { ...withFinalizer.metadata, finalizers: ['kube-feedback/report'] } });
      const api = kubeConfig.makeApiClient(CustomObjectsApi);
      const ref = { ...TEKTON, namespace: NAMESPACE, name: 'build-1' };

      // Act
      const marked = (await api.deleteNamespacedCustomObject(ref)) as KubeObject;
      await api.patchNamespacedCustomObject(
        { ...ref, body: { metadata: { finalizers: null } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );

      // Assess
      expect(marked.metadata?.deletionTimestamp).toBeDefined();
      expect(server.get(ref)).toBeUndefined();
    });
  });

  describe('Method: patch status (PATCH …/status)', () => {
    it('returns the object with the new status and an unchanged generation when sent a merge patch', async () => {
      // Prepare
      const created = server.apply(pipelineRun('build-1', { status: { conditions: [{ type: 'Succeeded', status: 'Unknown' }] } }));
      const api = kubeConfig.makeApiClient(CustomObjectsApi);
      const body = { spec: { pipelineRef: { name: 'ignored' } }, status: { conditions: [{ type: 'Succeeded', status: 'True' }] } };

      // Act
      const patched = (await api.patchNamespacedCustomObjectStatus(
        { ...TEKTON, namespace: NAMESPACE, name: 'build-1', body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as KubeObject;

      // Assess
      expect(patched.status).toEqual({ conditions: [{ type: 'Succeeded', status: 'True' }] });
      expect(patched.spec).toEqual(created.spec);
      expect(patched.metadata?.generation).toBe(1);
      expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
      expect(server.requests.at(-1)).toMatchObject({ method: 'PATCH', verb: 'patch', contentType: PatchStrategy.MergePatch });
    });

    it('returns the patched object when sent the client default JSON patch', async () => {
      // Prepare
      server.apply(pipelineRun('build-1', { status: { phase: 'Running' } }));
      const api = kubeConfig.makeApiClient(CustomObjectsApi);

      // Act
      const patched = (await api.patchNamespacedCustomObjectStatus({
        ...TEKTON,
        namespace: NAMESPACE,
        name: 'build-1',
        body: [{ op: 'replace', path: '/status/phase', value: 'Succeeded' }],
      })) as KubeObject;

      // Assess
      expect(patched.status).toEqual({ phase: 'Succeeded' });
      expect(server.requests.at(-1)?.contentType).toBe(PatchStrategy.JsonPatch);
    });

    it('returns a 409 Conflict Status when the patch names a stale resourceVersion', async () => {
      // Prepare
      const created = server.apply(pipelineRun('build-1'));
      server.patchStatus({ ...TEKTON, namespace: NAMESPACE, name: 'build-1' }, { phase: 'Running' });
      const api = kubeConfig.makeApiClient(CustomObjectsApi);
      const body = { metadata: { resourceVersion: created.metadata?.resourceVersion }, status: { phase: 'Failed' } };

      // Act
      const error = await api
        .patchNamespacedCustomObjectStatus(
          { ...TEKTON, namespace: NAMESPACE, name: 'build-1', body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        )
        .catch((caught: unknown) => caught);

      // Assess
      expect(statusOf(error)).toMatchObject({ code: 409, reason: 'Conflict' });
      expect(server.get({ ...TEKTON, namespace: NAMESPACE, name: 'build-1' })?.status).toEqual({ phase: 'Running' });
    });
  });

  describe('Method: failNext', () => {
    it('returns an injected 409 Conflict on the status patch once, then serves the retry', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      server.failNext({ verb: 'patch', plural: 'pipelineruns', subresource: 'status', code: 409 });
      const api = kubeConfig.makeApiClient(CustomObjectsApi);
      const patch = () =>
        api.patchNamespacedCustomObjectStatus(
          { ...TEKTON, namespace: NAMESPACE, name: 'build-1', body: { status: { phase: 'Succeeded' } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );

      // Act
      const error = await patch().catch((caught: unknown) => caught);
      const retried = (await patch()) as KubeObject;

      // Assess
      expect(statusOf(error)).toMatchObject({ code: 409, reason: 'Conflict' });
      expect(retried.status).toEqual({ phase: 'Succeeded' });
      expect(server.requests.filter((request) => request.verb === 'patch')).toHaveLength(2);
    });

    it('returns an injected 500 on the next list only', async () => {
      // Prepare
      server.failNext({ verb: 'list', plural: 'jobs', code: 500 });
      const api = kubeConfig.makeApiClient(BatchV1Api);

      // Act
      const error = await api.listNamespacedJob({ namespace: NAMESPACE }).catch((caught: unknown) => caught);
      const list = await api.listNamespacedJob({ namespace: NAMESPACE });

      // Assess
      expect((error as ApiException<string>).code).toBe(500);
      expect(list.items).toEqual([]);
    });
  });

  describe('Method: watch (GET collection with watch=true)', () => {
    it('returns ADDED, MODIFIED and DELETED events as the objects change', async () => {
      // Prepare
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, {});
      await server.waitForWatches(1);

      // Act
      server.apply(pipelineRun('build-1'));
      server.patchStatus({ ...TEKTON, namespace: NAMESPACE, name: 'build-1' }, { phase: 'Running' });
      server.remove({ ...TEKTON, namespace: NAMESPACE, name: 'build-1' });
      await waitUntil(() => watch.events.length === 3);
      watch.controller.abort();

      // Assess
      expect(watch.events.map((event) => event.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      expect(watch.events[1]?.object.status).toEqual({ phase: 'Running' });
    });

    it('returns the current objects as ADDED first when started without a resourceVersion', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      server.apply(pipelineRun('build-2'));

      // Act
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, {});
      await waitUntil(() => watch.events.length === 2);
      watch.controller.abort();

      // Assess
      expect(watch.events.map((event) => `${event.type} ${event.object.metadata?.name}`)).toEqual(['ADDED build-1', 'ADDED build-2']);
    });

    it('returns only the events newer than the resourceVersion when resuming', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      const resumeFrom = server.resourceVersion;
      server.patchStatus({ ...TEKTON, namespace: NAMESPACE, name: 'build-1' }, { phase: 'Running' });
      server.apply(pipelineRun('build-2'));

      // Act
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, { resourceVersion: resumeFrom });
      await waitUntil(() => watch.events.length === 2);
      watch.controller.abort();

      // Assess
      expect(watch.events.map((event) => `${event.type} ${event.object.metadata?.name}`)).toEqual(['MODIFIED build-1', 'ADDED build-2']);
    });

    it('returns an ERROR event with a 410 Expired Status and ends the stream when the resourceVersion was compacted', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      const stale = server.resourceVersion;
      server.apply(pipelineRun('build-2'));
      server.expireHistory();

      // Act
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, { resourceVersion: stale });
      const doneWith = await watch.done;

      // Assess
      expect(watch.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) }]);
      expect(doneWith).toBeNull();
    });

    it('returns a 410 Expired ERROR event when the resourceVersion is older than the retained history', async () => {
      // Prepare
      const small = await startFakeKubeApiServer({ historyLimit: 2 });
      // Four writes with room for two: events 1 and 2 are gone, so resuming after 1 would miss 2.
      ['build-1', 'build-2', 'build-3', 'build-4'].forEach((name) => small.apply(pipelineRun(name)));

      // Act
      const watch = await recordWatch(small.kubeConfig(), PIPELINE_RUNS_PATH, { resourceVersion: '1' });
      await waitUntil(() => watch.events.length > 0).finally(() => small.stop());

      // Assess
      expect(watch.events.map((event) => [event.type, event.object.code])).toEqual([['ERROR', 410]]);
    });

    it('returns DELETED when an object stops matching the labelSelector of the watch', async () => {
      // Prepare
      server.apply(pipelineRun('build-1', { labels: { app: 'shop' } }));
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, { labelSelector: 'app=shop' });
      await waitUntil(() => watch.events.length === 1);

      // Act
      server.apply(pipelineRun('build-1', { labels: { app: 'blog' } }));
      server.apply(pipelineRun('build-2', { labels: { app: 'blog' } }));
      await waitUntil(() => watch.events.length === 2);
      watch.controller.abort();

      // Assess
      expect(watch.events.map((event) => `${event.type} ${event.object.metadata?.name}`)).toEqual(['ADDED build-1', 'DELETED build-1']);
    });

    it('returns a BOOKMARK at the current resourceVersion when bookmarks are allowed', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      const query = { resourceVersion: server.resourceVersion, allowWatchBookmarks: true };
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, query);
      await server.waitForWatches(1);

      // Act
      server.sendBookmarks();
      await waitUntil(() => watch.events.length === 1);
      watch.controller.abort();

      // Assess
      expect(watch.events[0]).toEqual({
        type: 'BOOKMARK',
        object: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { resourceVersion: server.resourceVersion } },
      });
    });

    it('returns an error to the done callback when the watches are broken', async () => {
      // Prepare
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, {});
      await server.waitForWatches(1);

      // Act
      server.breakWatches();
      const doneWith = await watch.done;

      // Assess
      expect(doneWith).toBeInstanceOf(Error);
      expect(server.openWatches).toBe(0);
    });

    it('returns a clean end to the done callback when timeoutSeconds passes', async () => {
      // Prepare
      const started = Date.now();

      // Act
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, { timeoutSeconds: 1 });
      const doneWith = await watch.done;

      // Assess
      expect(doneWith).toBeNull();
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });
  });

  describe('Method: list and watch together', () => {
    it('returns add and update callbacks to a client-node informer when objects are written', async () => {
      // Prepare
      server.apply(pipelineRun('build-1'));
      const api = kubeConfig.makeApiClient(CustomObjectsApi);
      const listPipelineRuns = () =>
        api.listNamespacedCustomObject({ ...TEKTON, namespace: NAMESPACE }) as Promise<KubernetesListObject<KubernetesObject>>;
      const informer = makeInformer(kubeConfig, PIPELINE_RUNS_PATH, listPipelineRuns);
      const seen: string[] = [];
      informer.on('add', (object) => seen.push(`add ${object.metadata?.name}`));
      informer.on('update', (object) => seen.push(`update ${object.metadata?.name}`));

      // Act
      await informer.start();
      await server.waitForWatches(1);
      server.patchStatus({ ...TEKTON, namespace: NAMESPACE, name: 'build-1' }, { phase: 'Running' });
      await waitUntil(() => seen.length === 2);
      await informer.stop();

      // Assess
      expect(seen).toEqual(['add build-1', 'update build-1']);
      expect(server.requests.map((request) => request.verb)).toEqual(['list', 'watch']);
    });
  });

  describe('Method: stop', () => {
    it('returns after ending the open watch streams', async () => {
      // Prepare
      const watch = await recordWatch(kubeConfig, PIPELINE_RUNS_PATH, {});
      await server.waitForWatches(1);

      // Act
      await server.stop();
      const doneWith = await watch.done;

      // Assess
      expect(doneWith).toBeNull();
      expect(server.openWatches).toBe(0);
    });
  });

  describe('Method: kubeconfigYaml', () => {
    it('returns a kubeconfig that the client loads and authenticates with', async () => {
      // Prepare
      server.apply(job('unit-tests', NAMESPACE));
      const loaded = new KubeConfig();
      loaded.loadFromString(server.kubeconfigYaml());

      // Act
      const list = await loaded.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: NAMESPACE });

      // Assess
      expect(loaded.getCurrentCluster()?.server).toBe(server.url);
      expect(list.items.map((item) => item.metadata?.name)).toEqual(['unit-tests']);
    });

    it('returns 401 to a request without the token', async () => {
      // Prepare
      const url = `${server.url}${PIPELINE_RUNS_PATH}`;

      // Act
      const response = await fetch(url);

      // Assess
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    });
  });
});
