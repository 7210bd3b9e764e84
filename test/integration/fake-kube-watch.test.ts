import {
  CustomObjectsApi,
  makeInformer,
  type KubeConfig as KubeConfigType,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  NAMESPACE,
  PIPELINE_RUNS_PATH,
  pipelineRun,
  recordWatch,
  startFakeKubeApiServer,
  TEKTON,
  waitUntil,
  type FakeKubeApiServer,
} from '../helpers/fake-kube/index.js';
import { eachFakeKubeApiServer } from '../helpers/fake-kube/each.js';

describe('Class: FakeKubeApiServer', () => {
  let server: FakeKubeApiServer;
  let kubeConfig: KubeConfigType;
  eachFakeKubeApiServer((started, config) => ((server = started), (kubeConfig = config)));

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
});
