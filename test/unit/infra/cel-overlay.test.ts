import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readKustomization, REPOSITORY_ROOT } from '../../helpers/apiserver';

const CRDS = join(REPOSITORY_ROOT, 'infra', 'crds');
const OVERLAY = join(CRDS, 'overlays', 'cel');
const VALIDATIONS = 'x-kubernetes-validations';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Operation {
  op: string;
  path: string;
  value?: Json;
}
interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
}
interface Kustomization {
  resources: string[];
  patches: Array<{ path: string; target: Target }>;
}
interface Rule {
  at: string;
  rule: string;
  message: string;
  properties: string[];
}

function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * RFC 6902 `test` and `add`, the operations the overlay uses, as kustomize
 * applies them. Written here because no JSON Patch library is a dependency and
 * the test must not assume a kustomize binary on the machine.
 */
function applyJsonPatch(document: Json, operations: readonly Operation[]): Json {
  const result = structuredClone(document);
  for (const { op, path, value } of operations) {
    const tokens = pointer(path);
    const last = tokens.pop() ?? '';
    let parent: Json = result;
    for (const token of tokens) {
      const next: Json | undefined = parent !== null && typeof parent === 'object' ? (parent as Record<string, Json>)[token] : undefined;
      if (next === undefined) throw new Error(`${op} ${path}: no ${token} in the document`);
      parent = next;
    }
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) throw new Error(`${op} ${path}: parent is not an object`);
    if (op === 'test') {
      expect(parent[last], `test ${path}`).toEqual(value);
    } else if (op === 'add') {
      if (value === undefined) throw new Error(`add ${path}: no value`);
      parent[last] = value;
    } else {
      throw new Error(`${op} ${path}: operation not used by the overlay`);
    }
  }
  return result;
}

function matches(object: KubernetesObject, target: Target): boolean {
  const [group, version] = (object.apiVersion ?? '').includes('/') ? (object.apiVersion ?? '').split('/') : ['', object.apiVersion];
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || target.name === object.metadata?.name)
  );
}

function buildOverlay(): KubernetesObject[] {
  const kustomization = parse(readFileSync(join(OVERLAY, 'kustomization.yaml'), 'utf8')) as Kustomization;
  let objects = kustomization.resources.flatMap((entry) => readKustomization(join(OVERLAY, entry)));
  for (const { path, target } of kustomization.patches) {
    const operations = parse(readFileSync(join(OVERLAY, path), 'utf8')) as Operation[];
    const hits = objects.filter((object) => matches(object, target)).length;
    if (hits !== 1) throw new Error(`${path}: target matches ${hits} objects`);
    objects = objects.map((object) => (matches(object, target) ? (applyJsonPatch(object as unknown as Json, operations) as unknown as KubernetesObject) : object));
  }
  return objects;
}

/** Every CEL rule with where it sits and the property names its schema declares. */
function rulesOf(node: unknown, at = ''): Rule[] {
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const here = ((record[VALIDATIONS] ?? []) as Array<{ rule: string; message: string }>).map(({ rule, message }) => ({
    at,
    rule,
    message,
    properties: Object.keys((record.properties ?? {}) as object),
  }));
  const below = Object.entries(record).flatMap(([key, value]) => (key === VALIDATIONS ? [] : rulesOf(value, `${at}/${key}`)));
  return [...here, ...below];
}

function withoutValidations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutValidations);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== VALIDATIONS).map(([key, value]) => [key, withoutValidations(value)]));
}

const SCHEMA = '/spec/versions/0/schema/openAPIV3Schema';

describe('Overlay: infra/crds/overlays/cel', () => {
  describe('Method: parse', () => {
    it('returns every file of the overlay as YAML without errors', () => {
      // Prepare
      const files = readdirSync(OVERLAY).filter((file) => file.endsWith('.yaml'));

      // Act
      const errors = files.flatMap((file) => parseAllDocuments(readFileSync(join(OVERLAY, file), 'utf8')).flatMap((document) => document.errors.map((error) => `${file}: ${error.message}`)));

      // Assess
      expect(files.sort()).toEqual(['commitstatus-validations.yaml', 'gitrepo-validations.yaml', 'kustomization.yaml']);
      expect(errors).toEqual([]);
    });
  });

  describe('Method: build', () => {
    it('returns the base CRDs with the CEL rules added where the patches say', () => {
      // Act
      const built = buildOverlay();

      // Assess
      const rules = Object.fromEntries(built.map((object) => [object.metadata?.name, rulesOf(object).map(({ at, rule }) => [at, rule])]));
      expect(rules).toEqual({
        'commitstatuses.commit-status.argoproj.io': [[`${SCHEMA}/properties/status/properties/observedGeneration`, 'self >= oldSelf']],
        'gitrepos.commit-status.argoproj.io': [
          [`${SCHEMA}/properties/spec`, '[has(self.github), has(self.gitlab), has(self.bitbucketCloud), has(self.bitbucketServer), has(self.gitea)].exists_one(p, p)'],
          [`${SCHEMA}/properties/spec/properties/credentialsRef`, 'has(self.ssmParameter) != has(self.secretsManagerArn)'],
        ],
      });
    });

    it('returns rules that have a message and name only properties their schema declares', () => {
      // Act
      const rules = buildOverlay().flatMap((object) => rulesOf(object));

      // Assess
      expect(rules).toHaveLength(3);
      for (const { rule, message, properties, at } of rules) {
        expect(message.length, at).toBeGreaterThan(0);
        const referenced = [...rule.matchAll(/\bself\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]);
        expect(properties, `${at}: ${rule}`).toEqual(expect.arrayContaining(referenced));
      }
    });

    it('returns documents equal to the base once the rules are removed', () => {
      // Prepare
      const base = readKustomization(CRDS);

      // Act
      const built = buildOverlay();

      // Assess
      expect(withoutValidations(built)).toEqual(base);
    });
  });

  describe('Method: base', () => {
    it('returns no CEL rules in the base, so a v1.20 API server accepts it', () => {
      // Act
      const rules = readKustomization(CRDS).flatMap((object) => rulesOf(object));

      // Assess
      expect(rules).toEqual([]);
    });
  });
});
