import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyObjects,
  findApiServerScript,
  readKustomization,
  REPOSITORY_ROOT,
  startApiServer,
  waitForCrds,
  type RealApiServer,
} from '../helpers/apiserver';

const script = findApiServerScript('crds.apiserver.test.ts');

const GROUP = 'commit-status.argoproj.io';
const VERSION = 'v1alpha1';
const NAMESPACE = 'default';
const SHA1 = '0123456789abcdef0123456789abcdef01234567';
const SHA256 = `${SHA1}${'89abcdef01234567abcdef01'}`;
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const target = (name: string) => ({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: 'commitstatuses', name });

type StatusCause = { field?: string; reason?: string; message?: string };

function commitStatus(name: string, spec: Record<string, unknown> = {}): KubernetesObject & { spec: Record<string, unknown> } {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'CommitStatus',
    metadata: { name, namespace: NAMESPACE },
    spec: { gitRepoRef: { name: 'shop' }, sha: SHA1, name: 'ci/build', description: 'Build queued', phase: 'queued', url: 'https://ci.example.com/runs/1', ...spec },
  };
}

function gitRepo(name: string, spec: Record<string, unknown>): KubernetesObject & { spec: Record<string, unknown> } {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'GitRepo', metadata: { name, namespace: NAMESPACE }, spec };
}

/** The causes of a 422 from the API server: each names the field the schema rejected. */
async function rejection(request: Promise<unknown>): Promise<{ code: number; causes: StatusCause[] }> {
  const error = await request.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof ApiException)) throw new Error(`expected the API server to reject the request, got ${String(error)}`);
  const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as { details?: { causes?: StatusCause[] } };
  return { code: error.code, causes: body.details?.causes ?? [] };
}

describe.skipIf(script === undefined)('CRD: CommitStatus and GitRepo on a real kube-apiserver', () => {
  let server: RealApiServer;
  let admin: KubeConfig;
  let custom: CustomObjectsApi;
  const crds = readKustomization(join(REPOSITORY_ROOT, 'infra', 'crds'));

  const create = (plural: string, body: KubernetesObject) => custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural, body });

  beforeAll(async () => {
    server = await startApiServer(script ?? '');
    admin = server.admin();
    custom = admin.makeApiClient(CustomObjectsApi);
    await applyObjects(admin, crds);
    await waitForCrds(admin, crds);
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe('Method: apply', () => {
    it('returns both CRDs Established with a structural schema when applied from infra/crds', async () => {
      // Prepare
      const extensions = admin.makeApiClient(ApiextensionsV1Api);

      // Act
      const served = await Promise.all(crds.map((crd) => extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' })));

      // Assess
      expect(served.map((crd) => crd.metadata?.name).sort()).toEqual([`commitstatuses.${GROUP}`, `gitrepos.${GROUP}`]);
      for (const crd of served) {
        const conditions = Object.fromEntries((crd.status?.conditions ?? []).map((condition) => [condition.type, condition.status]));
        expect(conditions).toMatchObject({ Established: 'True', NamesAccepted: 'True' });
        expect(conditions).not.toHaveProperty('NonStructuralSchema');
      }
    });

    it('returns the Phase, Synced, SHA and Age printer columns and a status subresource for CommitStatus', async () => {
      // Act
      const crd: V1CustomResourceDefinition = await admin.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: `commitstatuses.${GROUP}` });

      // Assess
      const version = crd.spec.versions.find((entry) => entry.name === VERSION);
      const columns = (version?.additionalPrinterColumns ?? []).filter((column) => (column.priority ?? 0) === 0);
      expect(columns.map((column) => [column.name, column.jsonPath])).toEqual([
        ['Phase', '.spec.phase'],
        ['Synced', '.status.isSynced'],
        ['SHA', '.spec.sha'],
        ['Age', '.metadata.creationTimestamp'],
      ]);
      expect(version?.subresources?.status).toEqual({});
    });
  });

  describe('Method: create', () => {
    it.each([
      ['a SHA-1', SHA1],
      ['a SHA-256', SHA256],
    ])('returns the stored CommitStatus when the spec is valid with %s', async (_label, sha) => {
      // Prepare
      const body = commitStatus(`valid-${sha.length}`, { sha });

      // Act
      const created = (await create('commitstatuses', body)) as typeof body;

      // Assess
      expect(created.spec).toEqual(body.spec);
      expect(created.metadata?.generation).toBe(1);
    });

    it('returns the stored GitRepo with driftPolicy defaulted to overwrite when it names one provider', async () => {
      // Prepare
      const body = gitRepo('shop', { github: { owner: 'acme', name: 'shop' }, credentialsRef: { ssmParameter: '/kube-feedback/github/acme' } });

      // Act
      const created = (await create('gitrepos', body)) as typeof body;

      // Assess
      expect(created.spec).toEqual({ ...body.spec, driftPolicy: 'overwrite' });
    });

    it.each([
      ['gitlab', { gitlab: { host: 'gitlab.example.com', project: 'platform/ci/shop' } }],
      ['bitbucketCloud', { bitbucketCloud: { workspace: 'acme', slug: 'shop' } }],
      ['bitbucketServer', { bitbucketServer: { url: 'https://bitbucket.example.com', project: 'PLAT', slug: 'shop' } }],
      ['gitea', { gitea: { url: 'https://gitea.example.com', owner: 'acme', name: 'shop' } }],
    ])('returns the stored GitRepo when it names only %s', async (provider, spec) => {
      // Prepare
      const body = gitRepo(`repo-${provider.toLowerCase()}`, {
        ...spec,
        credentialsRef: { secretsManagerArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kube-feedback/scm-AbCdEf' },
        driftPolicy: 'report',
      });

      // Act
      const created = (await create('gitrepos', body)) as typeof body;

      // Assess
      expect(created.spec).toEqual(body.spec);
    });

    it('rejects a CommitStatus with 422 naming spec.phase when the phase is done', async () => {
      // Act
      const { code, causes } = await rejection(create('commitstatuses', commitStatus('phase-done', { phase: 'done' })));

      // Assess
      expect(code).toBe(422);
      expect(causes).toHaveLength(1);
      expect(causes[0]).toMatchObject({ field: 'spec.phase', reason: 'FieldValueNotSupported' });
      expect(causes[0]?.message).toContain('"done"');
    });

    it('rejects the spelling cancelled with 422 naming spec.phase, since only canceled is accepted', async () => {
      // Act
      const { code, causes } = await rejection(create('commitstatuses', commitStatus('phase-cancelled', { phase: 'cancelled' })));

      // Assess
      expect(code).toBe(422);
      expect(causes.map((cause) => cause.field)).toEqual(['spec.phase']);
      expect(causes[0]?.message).toContain('"canceled"');
    });

    it.each([
      ['uppercase hex', SHA1.toUpperCase()],
      ['a short hash', SHA1.slice(0, 7)],
      ['41 digits', `${SHA1}0`],
      ['a non-hex letter', `${SHA1.slice(0, 39)}g`],
    ])('rejects a CommitStatus with 422 naming spec.sha when the sha is %s', async (_label, sha) => {
      // Act
      const { code, causes } = await rejection(create('commitstatuses', commitStatus('bad-sha', { sha })));

      // Assess
      expect(code).toBe(422);
      expect(causes).toEqual([expect.objectContaining({ field: 'spec.sha', reason: 'FieldValueInvalid' })]);
    });

    it('rejects a CommitStatus with 422 naming each field when the url is not https and the description is too long', async () => {
      // Act
      const { code, causes } = await rejection(
        create('commitstatuses', commitStatus('bad-url', { url: 'http://ci.example.com/runs/1', description: 'x'.repeat(256) })),
      );

      // Assess
      expect(code).toBe(422);
      expect(causes.map((cause) => cause.field).sort()).toEqual(['spec.description', 'spec.url']);
    });

    it('rejects a GitRepo with 422 naming spec when it names two providers', async () => {
      // Prepare
      const body = gitRepo('two-providers', {
        github: { owner: 'acme', name: 'shop' },
        gitlab: { project: 'acme/shop' },
        credentialsRef: { ssmParameter: '/kube-feedback/github/acme' },
      });

      // Act
      const { code, causes } = await rejection(create('gitrepos', body));

      // Assess
      expect(code).toBe(422);
      expect(causes).toHaveLength(1);
      expect(causes[0]?.message).toContain('"spec" must validate one and only one schema (oneOf)');
    });

    it('rejects a GitRepo with 422 naming spec and spec.credentialsRef when neither is given', async () => {
      // Act
      const { code, causes } = await rejection(create('gitrepos', gitRepo('empty', { credentialsRef: {} })));

      // Assess
      expect(code).toBe(422);
      const messages = causes.map((cause) => cause.message ?? '').join('\n');
      expect(messages).toContain('"spec" must validate one and only one schema (oneOf). Found none valid');
      expect(messages).toContain('"spec.credentialsRef" must validate one and only one schema (oneOf). Found none valid');
    });
  });

  describe('Method: patch status', () => {
    it('returns the written status with generation unchanged when admin merge-patches /status', async () => {
      // Prepare
      const created = (await create('commitstatuses', commitStatus('status-write'))) as KubernetesObject;
      const status = {
        updatedAt: '2024-05-01T10:00:00Z',
        isSynced: true,
        repo: 'github.com/acme/shop',
        sha: SHA1,
        name: 'ci/build',
        description: 'Build queued',
        phase: 'queued',
        url: 'https://ci.example.com/runs/1',
        provider: { github: { checkRunId: 28_123_456_789 } },
        observedGeneration: 1,
        conditions: [{ type: 'Synced', status: 'True', reason: 'Written', message: 'check run 28123456789', lastTransitionTime: '2024-05-01T10:00:00Z', observedGeneration: 1 }],
      };

      // Act
      const patched = (await custom.patchNamespacedCustomObjectStatus({ ...target('status-write'), body: { status } }, MERGE)) as KubernetesObject & { status?: unknown };

      // Assess
      expect(patched.status).toEqual(status);
      expect(patched.metadata?.generation).toBe(created.metadata?.generation);
    });

    it('returns syncFailure removed when the merge patch sets it to null', async () => {
      // Prepare
      await create('commitstatuses', commitStatus('status-clear'));
      await custom.patchNamespacedCustomObjectStatus({ ...target('status-clear'), body: { status: { isSynced: false, syncFailure: { message: 'GitRepo "shop" not found' } } } }, MERGE);

      // Act
      const patched = (await custom.patchNamespacedCustomObjectStatus({ ...target('status-clear'), body: { status: { isSynced: true, syncFailure: null } } }, MERGE)) as { status?: unknown };

      // Assess
      expect(patched.status).toEqual({ isSynced: true });
    });

    it('rejects a status with 422 naming status.phase when the phase is not in the enum', async () => {
      // Prepare
      await create('commitstatuses', commitStatus('status-bad-phase'));

      // Act
      const { code, causes } = await rejection(custom.patchNamespacedCustomObjectStatus({ ...target('status-bad-phase'), body: { status: { phase: 'cancelled' } } }, MERGE));

      // Assess
      expect(code).toBe(422);
      expect(causes.map((cause) => cause.field)).toEqual(['status.phase']);
    });
  });

  describe('Method: patch spec', () => {
    it('returns the next generation and leaves status untouched when the main resource is patched with a status', async () => {
      // Prepare
      await create('commitstatuses', commitStatus('spec-change'));

      // Act
      const patched = (await custom.patchNamespacedCustomObject({ ...target('spec-change'), body: { spec: { phase: 'in_progress' }, status: { isSynced: true } } }, MERGE)) as KubernetesObject & {
        spec: { phase: string };
        status?: unknown;
      };

      // Assess
      expect(patched.spec.phase).toBe('in_progress');
      expect(patched.metadata?.generation).toBe(2);
      expect(patched.status).toBeUndefined();
    });
  });
});
