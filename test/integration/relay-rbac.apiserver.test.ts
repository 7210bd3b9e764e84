import { readFileSync } from 'node:fs';
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
import { parseConfigYaml } from '../../shared/config';
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

const script = findApiServerScript('relay-rbac.apiserver.test.ts');

const RELAY_DIR = join(REPOSITORY_ROOT, 'infra', 'relay');
const BASE = join(RELAY_DIR, 'base');
const NAMESPACE = 'kube-feedback';
const LEASE = 'kube-feedback-relay';
const KNOWN = 'kube-feedback-relay-known';
const WORKLOADS = 'ci';

type Json = Record<string, unknown>;
type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };

const config = parseConfigYaml(readFileSync(join(BASE, 'feedback.yaml'), 'utf8'), 'infra/relay/base/feedback.yaml');
const rbac = readManifest(join(BASE, 'clusterrole.yaml'));
const leaseRbac = readManifest(join(BASE, 'lease-role.yaml'));
const knownRbac = readManifest(join(BASE, 'known-role.yaml'));
const ofKind = (objects: KubernetesObject[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as KubernetesObject & Json;
};

/** group → sorted resources, from feedback.yaml's watch list. */
const watchedByGroup = (): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const w of config.watch) out[w.group] = [...(out[w.group] ?? []), w.resource].sort();
  return out;
};

describe('Manifest: infra/relay and infra/admission', () => {
  it('grants get, list and watch on exactly the kinds feedback.yaml watches, and nothing else', () => {
    // Prepare
    const rules = ofKind(rbac, 'ClusterRole').rules as Rule[];
    const granted: Record<string, string[]> = {};
    for (const rule of rules) {
      for (const group of rule.apiGroups ?? []) granted[group] = [...(granted[group] ?? []), ...(rule.resources ?? [])].sort();
    }

    // Assess
    expect(granted).toEqual(watchedByGroup());
    for (const rule of rules) {
      expect([...(rule.verbs ?? [])].sort()).toEqual(['get', 'list', 'watch']);
      expect(rule.resourceNames).toBeUndefined();
      expect(rule.nonResourceURLs).toBeUndefined();
    }
  });

  it('binds the ClusterRole and the lease Role to the relay ServiceAccount in its namespace', () => {
    // Prepare
    const clusterBinding = ofKind(rbac, 'ClusterRoleBinding');
    const binding = ofKind(leaseRbac, 'RoleBinding');
    const role = ofKind(leaseRbac, 'Role');
    const subject = { kind: 'ServiceAccount', name: 'relay', namespace: NAMESPACE };

    // Assess
    expect(clusterBinding.subjects).toEqual([subject]);
    expect(clusterBinding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ofKind(rbac, 'ClusterRole').metadata?.name });
    expect(binding.subjects).toEqual([subject]);
    expect(role.metadata?.namespace).toBe(NAMESPACE);
    const verbs = (role.rules as Rule[]).flatMap((r) => {
      expect(r.apiGroups).toEqual(['coordination.k8s.io']);
      expect(r.resources).toEqual(['leases']);
      return r.verbs ?? [];
    });
    expect(verbs.sort()).toEqual(['create', 'get', 'update']);
  });

  it('binds a Role on its own known-objects ConfigMap only (create unnamed, get and update by name) in its namespace', () => {
    // Prepare
    const role = ofKind(knownRbac, 'Role');
    const binding = ofKind(knownRbac, 'RoleBinding');
    const rules = role.rules as Rule[];

    // Assess
    expect(role.metadata?.namespace).toBe(NAMESPACE);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'relay', namespace: NAMESPACE }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata?.name });
    expect(rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [KNOWN], verbs: ['get', 'update'] },
    ]);
    expect(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')).toMatch(/^\s+- known-role\.yaml$/m);
  });

  it('runs two non-root replicas with probes, resources, a read-only root filesystem and no capabilities', () => {
    // Prepare
    const deployment = ofKind(readManifest(join(BASE, 'deployment.yaml')), 'Deployment') as Json & { spec: Json };
    const pod = (deployment.spec.template as Json).spec as Json;
    const [container] = pod.containers as Json[];

    // Assess
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.serviceAccountName).toBe('relay');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container!.securityContext).toEqual({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container!.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container!.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    expect(container!.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
    expect(container!.resources).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } });
  });

  it('annotates the ServiceAccount for IRSA in the SQS variant only', () => {
    // Prepare
    const patch = ofKind(readManifest(join(RELAY_DIR, 'patches', 'serviceaccount-irsa.yaml')), 'ServiceAccount');
    const base = ofKind(readManifest(join(BASE, 'serviceaccount.yaml')), 'ServiceAccount');

    // Assess
    expect(patch.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(base.metadata?.annotations).toBeUndefined();
  });

  it('switches the webhook-sink overlay to RELAY_SINK=webhook with INGEST_URL and the HMAC key from its Secret', () => {
    // Prepare
    const overlay = join(RELAY_DIR, 'overlays', 'webhook-sink');
    const patch = ofKind(readManifest(join(overlay, 'deployment-patch.yaml')), 'Deployment') as Json & { spec: Json };
    const secret = ofKind(readManifest(join(overlay, 'secret.yaml')), 'Secret');
    const env = ((((patch.spec.template as Json).spec as Json).containers as Json[])[0]!.env as Json[]);
    const byName = Object.fromEntries(env.map((e) => [e.name, e]));

    // Assess
    expect(byName.RELAY_SINK).toEqual({ name: 'RELAY_SINK', value: 'webhook' });
    expect(String(byName.INGEST_URL?.value)).toMatch(/^https:\/\/.+\/events$/);
    expect(byName.INGEST_SECRET?.valueFrom).toEqual({ secretKeyRef: { name: secret.metadata?.name, key: 'INGEST_SECRET' } });
    expect(Object.keys(secret.stringData as Json)).toEqual(['INGEST_SECRET']);
  });

  it('sends CREATE, UPDATE and DELETE of every watched kind and its status to ingest, failing open within 5 s', () => {
    // Prepare
    const configuration = ofKind(readManifest(join(REPOSITORY_ROOT, 'infra', 'admission', 'validating-webhook.yaml')), 'ValidatingWebhookConfiguration');
    const [webhook] = configuration.webhooks as Json[];
    const covered: Record<string, string[]> = {};
    for (const rule of webhook!.rules as Json[]) {
      expect([...(rule.operations as string[])].sort()).toEqual(['CREATE', 'DELETE', 'UPDATE']);
      for (const group of rule.apiGroups as string[]) covered[group] = [...(covered[group] ?? []), ...(rule.resources as string[])].sort();
    }
    const expected = Object.fromEntries(
      Object.entries(watchedByGroup()).map(([group, resources]) => [group, resources.flatMap((r) => [r, `${r}/status`]).sort()]),
    );

    // Assess
    expect(webhook).toMatchObject({ failurePolicy: 'Ignore', sideEffects: 'None', timeoutSeconds: 5, admissionReviewVersions: ['v1'] });
    expect(String((webhook!.clientConfig as Json).url)).toMatch(/^https:\/\/.+\/admission\/[A-Za-z0-9._~-]+$/);
    expect(covered).toEqual(expected);
  });
});

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
