import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1ClusterRoleBinding,
  Watch,
} from '@kubernetes/client-node';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyObjects,
  findApiServerScript,
  readKustomization,
  REPOSITORY_ROOT,
  startApiServer,
  waitForAccess,
  waitForCrds,
  type RealApiServer,
} from '../helpers/apiserver';

const script = findApiServerScript('rbac.apiserver.test.ts');

const GROUP = 'commit-status.argoproj.io';
const VERSION = 'v1alpha1';
const NAMESPACE = 'default';
const WRITER_ROLE = 'kube-feedback-commitstatus-writer';
const SHIPPED_USER = 'kube-feedback-writer';
const STATUS_TARGET = { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: 'commitstatuses', name: 'build' } as const;
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The HTTP status the server answered `request` with (200 when it succeeded). */
async function statusCodeOf(request: Promise<unknown>): Promise<number> {
  try {
    await request;
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

describe.skipIf(script === undefined)('ClusterRole: kube-feedback-commitstatus-writer on a real kube-apiserver', () => {
  let server: RealApiServer;
  let tester: KubeConfig;
  const crds = readKustomization(join(REPOSITORY_ROOT, 'infra', 'crds'));
  const rbac = readKustomization(join(REPOSITORY_ROOT, 'infra', 'rbac'));

  beforeAll(async () => {
    server = await startApiServer(script ?? '');
    const admin = server.admin();
    await applyObjects(admin, crds);
    await waitForCrds(admin, crds);
    const shippedBinding = rbac.find((object) => object.kind === 'ClusterRoleBinding') as V1ClusterRoleBinding;
    // The shipped binding as it is, plus the same role bound to the server's `tester` user.
    const testerBinding: V1ClusterRoleBinding = {
      ...shippedBinding,
      metadata: { name: `${WRITER_ROLE}-tester` },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'tester' }],
    };
    await applyObjects(admin, [...rbac, testerBinding as KubernetesObject]);
    const objects: KubernetesObject[] = [
      { apiVersion: `${GROUP}/${VERSION}`, kind: 'GitRepo', metadata: { name: 'shop', namespace: NAMESPACE }, spec: { github: { owner: 'acme', name: 'shop' }, credentialsRef: { ssmParameter: '/kube-feedback/github' } } } as KubernetesObject,
      { apiVersion: `${GROUP}/${VERSION}`, kind: 'CommitStatus', metadata: { name: 'build', namespace: NAMESPACE }, spec: { gitRepoRef: { name: 'shop' }, sha: 'a'.repeat(40), name: 'ci/build', phase: 'queued' } } as KubernetesObject,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'scm-token', namespace: NAMESPACE }, stringData: { token: 'not-for-the-writer' } } as KubernetesObject,
    ];
    await applyObjects(admin, objects);
    tester = server.tester();
    const patchStatus = { group: GROUP, resource: 'commitstatuses', subresource: 'status', verb: 'patch', namespace: NAMESPACE };
    await waitForAccess(tester, patchStatus);
    await waitForAccess(server.impersonating(SHIPPED_USER), patchStatus);
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe('Method: get', () => {
    it('returns the GitRepo and the CommitStatus when the role is bound to tester', async () => {
      // Prepare
      const custom = tester.makeApiClient(CustomObjectsApi);

      // Act
      const repo = (await custom.getNamespacedCustomObject({ ...STATUS_TARGET, plural: 'gitrepos', name: 'shop' })) as KubernetesObject;
      const commitStatus = (await custom.getNamespacedCustomObject(STATUS_TARGET)) as KubernetesObject;

      // Assess
      expect(repo.metadata?.name).toBe('shop');
      expect(commitStatus.metadata?.name).toBe('build');
    });

    it('returns the lists across namespaces when the role is bound to tester', async () => {
      // Prepare
      const custom = tester.makeApiClient(CustomObjectsApi);

      // Act
      const repos = (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'gitrepos' })) as { items: unknown[] };
      const statuses = (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'commitstatuses' })) as { items: unknown[] };

      // Assess
      expect(repos.items).toHaveLength(1);
      expect(statuses.items).toHaveLength(1);
    });
  });

  describe('Method: watch', () => {
    it('returns an ADDED event for the CommitStatus when tester watches commitstatuses', async () => {
      // Prepare
      const events: Array<[string, string | undefined]> = [];
      let resolveFirst: () => void = () => undefined;
      const first = new Promise<void>((resolve) => {
        resolveFirst = resolve;
      });

      // Act
      const controller = await new Watch(tester).watch(
        `/apis/${GROUP}/${VERSION}/commitstatuses`,
        {},
        (phase, object: KubernetesObject) => {
          events.push([phase, object.metadata?.name]);
          resolveFirst();
        },
        () => resolveFirst(),
      );
      await first;
      controller.abort();

      // Assess
      expect(events).toEqual([['ADDED', 'build']]);
    });
  });

  describe('Method: patch status', () => {
    it('returns the written status when tester merge-patches commitstatuses/status', async () => {
      // Prepare
      const custom = tester.makeApiClient(CustomObjectsApi);
      const status = { isSynced: true, phase: 'queued', provider: { github: { checkRunId: 42 } }, observedGeneration: 1 };

      // Act
      const patched = (await custom.patchNamespacedCustomObjectStatus({ ...STATUS_TARGET, body: { status } }, MERGE)) as { status?: unknown };

      // Assess
      expect(patched.status).toEqual(status);
    });

    it('returns the written status when the user the shipped binding names patches commitstatuses/status', async () => {
      // Prepare
      const custom = server.impersonating(SHIPPED_USER).makeApiClient(CustomObjectsApi);

      // Act
      const patched = (await custom.patchNamespacedCustomObjectStatus({ ...STATUS_TARGET, body: { status: { isSynced: false } } }, MERGE)) as { status?: { isSynced?: boolean } };

      // Assess
      expect(patched.status?.isSynced).toBe(false);
    });

    it('answers 403 when a user no binding names patches commitstatuses/status', async () => {
      // Prepare
      const custom = server.impersonating('someone-else').makeApiClient(CustomObjectsApi);

      // Act
      const code = await statusCodeOf(custom.patchNamespacedCustomObjectStatus({ ...STATUS_TARGET, body: { status: { isSynced: true } } }, MERGE));

      // Assess
      expect(code).toBe(403);
    });
  });

  describe('Method: forbidden requests', () => {
    it('answers 403 to every write outside the status subresource and to reading secrets', async () => {
      // Prepare
      const custom = tester.makeApiClient(CustomObjectsApi);
      const core = tester.makeApiClient(CoreV1Api);
      const current = (await custom.getNamespacedCustomObject(STATUS_TARGET)) as KubernetesObject & { spec: Record<string, unknown> };
      const requests: Record<string, () => Promise<unknown>> = {
        'update spec': () => custom.replaceNamespacedCustomObject({ ...STATUS_TARGET, body: { ...current, spec: { ...current.spec, phase: 'success' } } }),
        'patch spec': () => custom.patchNamespacedCustomObject({ ...STATUS_TARGET, body: { spec: { phase: 'success' } } }, MERGE),
        'update status (PUT)': () => custom.replaceNamespacedCustomObjectStatus({ ...STATUS_TARGET, body: { ...current, status: { isSynced: true } } }),
        'delete commitstatus': () => custom.deleteNamespacedCustomObject(STATUS_TARGET),
        'create commitstatus': () => custom.createNamespacedCustomObject({ ...STATUS_TARGET, body: { ...current, metadata: { name: 'other', namespace: NAMESPACE } } }),
        'patch gitrepo': () => custom.patchNamespacedCustomObject({ ...STATUS_TARGET, plural: 'gitrepos', name: 'shop', body: { spec: { driftPolicy: 'report' } } }, MERGE),
        'read secret': () => core.readNamespacedSecret({ name: 'scm-token', namespace: NAMESPACE }),
        'list secrets': () => core.listNamespacedSecret({ namespace: NAMESPACE }),
      };

      // Act
      const codes: Record<string, number> = {};
      for (const [name, request] of Object.entries(requests)) codes[name] = await statusCodeOf(request());

      // Assess
      expect(codes).toEqual(Object.fromEntries(Object.keys(requests).map((name) => [name, 403])));
      const unchanged = (await server.admin().makeApiClient(CustomObjectsApi).getNamespacedCustomObject(STATUS_TARGET)) as KubernetesObject & { spec: Record<string, unknown> };
      expect(unchanged.spec).toEqual(current.spec);
    });
  });
});
