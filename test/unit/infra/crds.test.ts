import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKustomization, REPOSITORY_ROOT } from '../../helpers/apiserver';

interface Schema {
  type?: string;
  enum?: string[];
  pattern?: string;
  default?: unknown;
  required?: string[];
  oneOf?: Array<{ required: string[] }>;
  properties?: Record<string, Schema>;
}
interface Version {
  name: string;
  subresources?: { status?: object };
  additionalPrinterColumns?: Array<{ name: string; jsonPath: string; priority?: number }>;
  schema: { openAPIV3Schema: Schema };
}
interface Crd {
  metadata: { name: string };
  spec: { group: string; names: { kind: string }; versions: Version[] };
}

const crds = readKustomization(join(REPOSITORY_ROOT, 'infra', 'crds')) as unknown as Crd[];

function version(kind: string): Version {
  const crd = crds.find((entry) => entry.spec.names.kind === kind);
  const served = crd?.spec.versions.find((entry) => entry.name === 'v1alpha1');
  if (!served) throw new Error(`no ${kind} v1alpha1 in infra/crds`);
  return served;
}

function property(schema: Schema, ...path: string[]): Schema {
  return path.reduce((node, key) => {
    const next = node.properties?.[key];
    if (!next) throw new Error(`no property ${path.join('.')}`);
    return next;
  }, schema);
}

const commitStatus = version('CommitStatus').schema.openAPIV3Schema;
const gitRepo = version('GitRepo').schema.openAPIV3Schema;

describe('CRD: CommitStatus', () => {
  describe('Method: schema', () => {
    it('returns the five phases, without the cancelled spelling, for spec and status', () => {
      // Act
      const phases = [property(commitStatus, 'spec', 'phase').enum, property(commitStatus, 'status', 'phase').enum];

      // Assess
      expect(phases).toEqual([
        ['queued', 'in_progress', 'success', 'failure', 'canceled'],
        ['queued', 'in_progress', 'success', 'failure', 'canceled'],
      ]);
    });

    it.each([
      [true, 'a SHA-1', 'a'.repeat(40)],
      [true, 'a SHA-256', 'b'.repeat(64)],
      [false, 'uppercase hex', 'A'.repeat(40)],
      [false, 'an abbreviated hash', 'a'.repeat(7)],
      [false, '52 digits', 'a'.repeat(52)],
    ])('returns %s from the sha pattern when the sha is %s', (expected, _label, sha) => {
      // Prepare
      const pattern = new RegExp(property(commitStatus, 'spec', 'sha').pattern ?? '');

      // Act
      const matched = pattern.test(sha);

      // Assess
      expect(matched).toBe(expected);
    });

    it('returns the status fields the sync writes back', () => {
      // Act
      const status = property(commitStatus, 'status');

      // Assess
      expect(Object.keys(status.properties ?? {}).sort()).toEqual(
        ['conditions', 'description', 'isSynced', 'name', 'observedGeneration', 'phase', 'provider', 'repo', 'sha', 'syncFailure', 'updatedAt', 'url'].sort(),
      );
      expect(Object.keys(property(status, 'provider').properties ?? {})).toEqual(['github', 'gitlab', 'bitbucket', 'gitea', 'azureDevOps']);
      expect(property(status, 'provider', 'github', 'checkRunId').type).toBe('integer');
    });
  });

  describe('Method: printer columns', () => {
    it('returns Phase, Synced, SHA and Age as the default columns and a status subresource', () => {
      // Act
      const served = version('CommitStatus');

      // Assess
      const columns = (served.additionalPrinterColumns ?? []).filter((column) => column.priority === undefined);
      expect(columns.map((column) => column.name)).toEqual(['Phase', 'Synced', 'SHA', 'Age']);
      expect(served.subresources?.status).toEqual({});
    });
  });
});

describe('CRD: GitRepo', () => {
  describe('Method: schema', () => {
    it('returns a oneOf that requires exactly one of the six provider blocks', () => {
      // Act
      const spec = property(gitRepo, 'spec');

      // Assess
      const providers = ['github', 'gitlab', 'bitbucketCloud', 'bitbucketServer', 'gitea', 'azureDevOps'];
      expect(spec.oneOf).toEqual(providers.map((name) => ({ required: [name] })));
      for (const name of providers) expect(property(spec, name).type).toBe('object');
    });

    it('returns credentialsRef as required with exactly one of ssmParameter, secretsManagerArn or secretKeyRef', () => {
      // Act
      const spec = property(gitRepo, 'spec');

      // Assess
      expect(spec.required).toContain('credentialsRef');
      expect(property(spec, 'credentialsRef').oneOf).toEqual([{ required: ['ssmParameter'] }, { required: ['secretsManagerArn'] }, { required: ['secretKeyRef'] }]);
    });

    it('returns secretKeyRef with a name and a key and no namespace: a GitRepo reads Secrets of its own namespace only', () => {
      // Act
      const secretKeyRef = property(gitRepo, 'spec', 'credentialsRef', 'secretKeyRef');

      // Assess
      expect(secretKeyRef.required).toEqual(['name', 'key']);
      expect(Object.keys(secretKeyRef.properties ?? {})).toEqual(['name', 'key']);
    });

    it('returns driftPolicy overwrite or report, defaulting to overwrite', () => {
      // Act
      const driftPolicy = property(gitRepo, 'spec', 'driftPolicy');

      // Assess
      expect(driftPolicy).toMatchObject({ enum: ['overwrite', 'report'], default: 'overwrite' });
    });
  });
});
