import {
  ApiException,
  BatchV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig as KubeConfigType,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  job,
  NAMESPACE,
  PIPELINE_RUNS_PATH,
  pipelineRun,
  statusOf,
  TEKTON,
  type FakeKubeApiServer,
  type KubeObject,
} from '../helpers/fake-kube/index.js';
import { eachFakeKubeApiServer } from '../helpers/fake-kube/each.js';

describe('Class: FakeKubeApiServer', () => {
  let server: FakeKubeApiServer;
  let kubeConfig: KubeConfigType;
  eachFakeKubeApiServer((started, config) => ((server = started), (kubeConfig = config)));

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
