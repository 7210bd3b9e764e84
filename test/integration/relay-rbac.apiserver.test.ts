import { join } from 'node:path';
import {
  ApiException,
  AuthenticationV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMapKnownStore } from '../../relay/known';
import {
  applyObjects,
  findApiServerScript,
  readKustomization,
  readManifest,
  REPOSITORY_ROOT,
  startApiServer,
  waitForAccess,
  waitForCrds,
  type RealApiServer,
} from '../helpers/apiserver';
import { BASE, config, KNOWN, knownRbac, leaseRbac, NAMESPACE, rbac } from '../helpers/relay-manifests';

const script = findApiServerScript('relay-rbac.apiserver.test.ts');

const LEASE = 'kube-feedback-relay';
const WORKLOADS = 'ci';

/** 'ok' when the request succeeded, else the HTTP status the API server answered. */
const outcome = (request: Promise<unknown>): Promise<'ok' | number> =>
  request.then(
    () => 'ok' as const,
    (error: unknown) => {
      if (error instanceof ApiException) return error.code;
      throw error;
    },
  );

/** Opens a watch and closes it again: 'ok' once the server starts streaming, else its status. */
const watchOutcome = async (kc: KubeConfig, path: string): Promise<'ok' | number> => {
  let failure: (Error & { statusCode?: number }) | null | undefined;
  const controller = await new Watch(kc).watch(path, {}, () => undefined, (error) => {
    failure ??= error;
  });
  const result = failure ? (failure.statusCode ?? 0) : 'ok';
  controller.abort();
  return result;
};

const pathOf = (group: string, version: string, resource: string) => (group ? `/apis/${group}/${version}/${resource}` : `/api/${version}/${resource}`);

describe.skipIf(script === undefined)('RBAC: the relay ServiceAccount on a real kube-apiserver', () => {
  let server: RealApiServer;
  let admin: KubeConfig;
  let relay: KubeConfig;
  let token: string;

  beforeAll(async () => {
    server = await startApiServer(script ?? '');
    admin = server.admin();
    // Tekton and Argo CRDs are not part of this project: minimal stand-ins.
    // CommitStatus and GitRepo are ours, from infra/crds.
    const crds = [
      ...readManifest(join(REPOSITORY_ROOT, 'test', 'fixtures', 'crds', 'tekton.yaml')),
      ...readManifest(join(REPOSITORY_ROOT, 'test', 'fixtures', 'crds', 'argo-workflows.yaml')),
      ...readKustomization(join(REPOSITORY_ROOT, 'infra', 'crds')),
    ];
    await applyObjects(admin, crds);
    await waitForCrds(admin, crds);
    await applyObjects(admin, [
      ...readManifest(join(BASE, 'namespace.yaml')),
      ...readManifest(join(BASE, 'serviceaccount.yaml')),
      ...rbac,
      ...leaseRbac,
      ...knownRbac,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: WORKLOADS } },
    ]);
    // A real token of the relay's ServiceAccount. v1.20 runs no
    // controller-manager, so no token Secret is ever created for it, but the
    // TokenRequest API is served by the API server itself: the same kind of
    // bound token the kubelet projects into the relay's pod.
    const request = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: 'relay',
      namespace: NAMESPACE,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    token = request.status?.token ?? '';
    const cluster = admin.getCurrentCluster()!;
    relay = new KubeConfig();
    relay.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'relay', token }],
      contexts: [{ name: 'relay', cluster: cluster.name, user: 'relay' }],
      currentContext: 'relay',
    });
    await waitForAccess(relay, { verb: 'watch', group: 'batch', resource: 'jobs' });
    await waitForAccess(relay, { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: NAMESPACE });
    await waitForAccess(relay, { verb: 'create', group: '', resource: 'configmaps', namespace: NAMESPACE });
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe('Method: authenticate', () => {
    it('returns the relay ServiceAccount as the user behind the token', async () => {
      // Act
      const review = await admin.makeApiClient(AuthenticationV1Api).createTokenReview({ body: { spec: { token } } });

      // Assess
      expect(review.status?.authenticated).toBe(true);
      expect(review.status?.user?.username).toBe(`system:serviceaccount:${NAMESPACE}:relay`);
    });
  });

  describe('Method: list and watch', () => {
    it('returns ok to list and to watch, cluster-wide, for every kind feedback.yaml watches', async () => {
      // Prepare
      const custom = relay.makeApiClient(CustomObjectsApi);

      // Act
      const results = await Promise.all(
        config.watch.map(async (w) => ({
          resource: `${w.group}/${w.resource}`,
          list: await outcome(custom.listClusterCustomObject({ group: w.group, version: w.version, plural: w.resource })),
          watch: await watchOutcome(relay, pathOf(w.group, w.version, w.resource)),
        })),
      );

      // Assess
      expect(results).toHaveLength(6);
      expect(results).toEqual(config.watch.map((w) => ({ resource: `${w.group}/${w.resource}`, list: 'ok', watch: 'ok' })));
    });

    it('returns the ADDED event of a Job someone else creates to the relay watching jobs', async () => {
      // Prepare
      const seen: string[] = [];
      const added = new Promise<void>((resolve) => {
        void new Watch(relay)
          .watch(pathOf('batch', 'v1', 'jobs'), {}, (type, object: KubernetesObject) => {
            seen.push(`${type} ${object.metadata?.name}`);
            if (type === 'ADDED' && object.metadata?.name === 'nightly-build') resolve();
          }, () => undefined)
          .then((controller) => added.finally(() => controller.abort()));
      });

      // Act
      await admin.makeApiClient(BatchV1Api).createNamespacedJob({
        namespace: WORKLOADS,
        body: {
          metadata: { name: 'nightly-build' },
          spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'build', image: 'golang:1.24' }] } } },
        },
      });
      await added;

      // Assess
      expect(seen).toEqual(['ADDED nightly-build']);
    });
  });

  describe('Method: everything else', () => {
    it('returns 403 for pods, secrets, configmaps and events, cluster-wide and in a namespace', async () => {
      // Prepare
      const core = relay.makeApiClient(CoreV1Api);

      // Act
      const results = await Promise.all([
        outcome(core.listPodForAllNamespaces()),
        outcome(core.listNamespacedPod({ namespace: WORKLOADS })),
        outcome(core.listSecretForAllNamespaces()),
        outcome(core.listNamespacedSecret({ namespace: NAMESPACE })),
        outcome(core.listConfigMapForAllNamespaces()),
        outcome(core.listEventForAllNamespaces()),
        watchOutcome(relay, '/api/v1/pods'),
        watchOutcome(relay, '/api/v1/secrets'),
      ]);

      // Assess
      expect(results).toEqual([403, 403, 403, 403, 403, 403, 403, 403]);
    });

    it('returns 403 for every write to the kinds it watches, their status included', async () => {
      // Prepare
      const batch = relay.makeApiClient(BatchV1Api);
      const custom = relay.makeApiClient(CustomObjectsApi);
      const pipelineRun = { group: 'tekton.dev', version: 'v1', namespace: WORKLOADS, plural: 'pipelineruns' };
      const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        ...pipelineRun,
        body: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'shop-build' }, spec: {} },
      });

      // Act
      const results = await Promise.all([
        outcome(batch.createNamespacedJob({ namespace: WORKLOADS, body: { metadata: { name: 'by-relay' }, spec: { template: { spec: { containers: [] } } } } })),
        outcome(batch.deleteNamespacedJob({ namespace: WORKLOADS, name: 'nightly-build' })),
        outcome(batch.patchNamespacedJobStatus({ namespace: WORKLOADS, name: 'nightly-build', body: { status: { failed: 1 } } }, merge)),
        outcome(custom.createNamespacedCustomObject({ ...pipelineRun, body: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'x' } } })),
        outcome(custom.patchNamespacedCustomObjectStatus({ ...pipelineRun, name: 'shop-build', body: { status: { conditions: [] } } }, merge)),
        outcome(custom.deleteNamespacedCustomObject({ ...pipelineRun, name: 'shop-build' })),
        outcome(
          custom.createNamespacedCustomObject({
            group: 'commit-status.argoproj.io',
            version: 'v1alpha1',
            namespace: WORKLOADS,
            plural: 'commitstatuses',
            body: { apiVersion: 'commit-status.argoproj.io/v1alpha1', kind: 'CommitStatus', metadata: { name: 'x' } },
          }),
        ),
        outcome(relay.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'by-relay' } } })),
      ]);

      // Assess
      expect(results).toEqual([403, 403, 403, 403, 403, 403, 403, 403]);
    });

    it('returns ok to create, get and update its own Lease, and 403 for other Leases, lists and namespaces', async () => {
      // Prepare
      const leases = relay.makeApiClient(CoordinationV1Api);
      const body = { metadata: { name: LEASE }, spec: { holderIdentity: 'relay-0_abcd', leaseDurationSeconds: 15 } };

      // Act
      const created = await outcome(leases.createNamespacedLease({ namespace: NAMESPACE, body }));
      const current = await leases.readNamespacedLease({ namespace: NAMESPACE, name: LEASE });
      const renewed = await outcome(
        leases.replaceNamespacedLease({ namespace: NAMESPACE, name: LEASE, body: { ...current, spec: { ...current.spec, holderIdentity: 'relay-1_ef01' } } }),
      );
      const others = await Promise.all([
        outcome(leases.readNamespacedLease({ namespace: NAMESPACE, name: 'someone-else' })),
        outcome(leases.listNamespacedLease({ namespace: NAMESPACE })),
        outcome(leases.deleteNamespacedLease({ namespace: NAMESPACE, name: LEASE })),
        outcome(leases.createNamespacedLease({ namespace: 'default', body })),
        outcome(leases.readNamespacedLease({ namespace: 'kube-system', name: 'kube-controller-manager' })),
      ]);

      // Assess
      expect([created, renewed]).toEqual(['ok', 'ok']);
      expect(others).toEqual([403, 403, 403, 403, 403]);
    });
  });

  describe('Method: known objects', () => {
    it('returns ok to save and load its known-objects ConfigMap, and 403 for other ConfigMaps, lists and namespaces', async () => {
      // Prepare
      const core = relay.makeApiClient(CoreV1Api);
      const store = new ConfigMapKnownStore(core, NAMESPACE, KNOWN);
      const payload = Buffer.from('a snapshot');

      // Act
      const created = await outcome(store.save(payload, 1));
      const replaced = await outcome(store.save(Buffer.from('a later snapshot'), 2));
      const loaded = await new ConfigMapKnownStore(core, NAMESPACE, KNOWN).load();
      const body = { metadata: { name: 'someone-else' }, data: {} };
      const others = await Promise.all([
        outcome(core.readNamespacedConfigMap({ namespace: NAMESPACE, name: 'relay-config' })),
        outcome(core.replaceNamespacedConfigMap({ namespace: NAMESPACE, name: 'someone-else', body })),
        outcome(core.listNamespacedConfigMap({ namespace: NAMESPACE })),
        outcome(core.deleteNamespacedConfigMap({ namespace: NAMESPACE, name: KNOWN })),
        outcome(core.createNamespacedConfigMap({ namespace: WORKLOADS, body })),
        outcome(core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'extension-apiserver-authentication' })),
      ]);

      // Assess
      expect([created, replaced]).toEqual(['ok', 'ok']);
      expect(loaded?.toString()).toBe('a later snapshot');
      expect(others).toEqual([403, 403, 403, 403, 403, 403]);
    });
  });

  describe('Method: admission', () => {
    it('returns ok when the API server validates the ValidatingWebhookConfiguration (dry run)', async () => {
      // Prepare
      const [configuration] = readManifest(join(REPOSITORY_ROOT, 'infra', 'admission', 'validating-webhook.yaml'));
      const client = KubernetesObjectApi.makeApiClient(admin);

      // Act
      const result = await outcome(client.create(configuration!, undefined, 'All'));

      // Assess
      expect(result).toBe('ok');
    });
  });
});
