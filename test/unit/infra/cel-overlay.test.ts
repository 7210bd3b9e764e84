import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readKustomization, REPOSITORY_ROOT } from '../../helpers/apiserver';
import { buildCelOverlay, CEL_OVERLAY } from '../../helpers/cel-overlay';

const CRDS = join(REPOSITORY_ROOT, 'infra', 'crds');
const VALIDATIONS = 'x-kubernetes-validations';

interface Rule {
  at: string;
  rule: string;
  message: string;
  properties: string[];
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
      const files = readdirSync(CEL_OVERLAY).filter((file) => file.endsWith('.yaml'));

      // Act
      const errors = files.flatMap((file) => parseAllDocuments(readFileSync(join(CEL_OVERLAY, file), 'utf8')).flatMap((document) => document.errors.map((error) => `${file}: ${error.message}`)));

      // Assess
      expect(files.sort()).toEqual(['commitstatus-validations.yaml', 'gitrepo-validations.yaml', 'kustomization.yaml']);
      expect(errors).toEqual([]);
    });
  });

  describe('Method: build', () => {
    it('returns the base CRDs with the CEL rules added where the patches say', () => {
      // Act
      const built = buildCelOverlay();

      // Assess
      const rules = Object.fromEntries(built.map((object) => [object.metadata?.name, rulesOf(object).map(({ at, rule }) => [at, rule])]));
      expect(rules).toEqual({
        'commitstatuses.commit-status.argoproj.io': [[`${SCHEMA}/properties/status/properties/observedGeneration`, 'self >= oldSelf']],
        'gitrepos.commit-status.argoproj.io': [
          [`${SCHEMA}/properties/spec`, '[has(self.github), has(self.gitlab), has(self.bitbucketCloud), has(self.bitbucketServer), has(self.gitea), has(self.azureDevOps)].exists_one(p, p)'],
          [`${SCHEMA}/properties/spec/properties/credentialsRef`, '[has(self.ssmParameter), has(self.secretsManagerArn), has(self.secretKeyRef)].exists_one(p, p)'],
        ],
      });
    });

    it('returns rules that have a message and name only properties their schema declares', () => {
      // Act
      const rules = buildCelOverlay().flatMap((object) => rulesOf(object));

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
      const built = buildCelOverlay();

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
