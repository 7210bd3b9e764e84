import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig as KubeConfigType } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  NAMESPACE,
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
});
