import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CelRuleCompileError, ruleSites } from '../../helpers/cel-compile';
import { failedStatusOf, readmeExample, syncedStatusOf, withStatus, type Example } from '../../helpers/cel-examples';
import { buildCelOverlay, crdVersions } from '../../helpers/cel-overlay';
import { celValidators, validatorFor, type CelValidator } from '../../helpers/cel-validate';

/** One write: a create (no `old`) or an update of `old`. */
interface Write {
  label: string;
  object: KubernetesObject;
  old?: KubernetesObject;
}
/** Writes a rule lets through and writes it refuses, by rule id. */
interface RuleCases {
  rule: string;
  accepts: Write[];
  rejects: Write[];
}

const gitRepo = readmeExample('GitRepo');
const commitStatus = readmeExample('CommitStatus');
const { github: _github, ...withoutProvider } = gitRepo.spec;

function gitRepoWith(spec: Record<string, unknown>): Example {
  return { ...structuredClone(gitRepo), spec: { ...structuredClone(withoutProvider), ...spec } };
}

const GITLAB = { gitlab: { host: 'gitlab.example.com', project: 'platform/ci/shop' } };
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kube-feedback/scm-AbCdEf';
const synced3 = withStatus(commitStatus, 3, syncedStatusOf(commitStatus, 3));

const CASES: RuleCases[] = [
  {
    rule: 'GitRepo/v1alpha1:spec#0',
    accepts: [
      { label: 'the README example (github)', object: gitRepo },
      { label: 'gitlab only', object: gitRepoWith(GITLAB) },
      { label: 'bitbucketCloud only', object: gitRepoWith({ bitbucketCloud: { workspace: 'acme', slug: 'shop' } }) },
      { label: 'bitbucketServer only', object: gitRepoWith({ bitbucketServer: { url: 'https://bitbucket.example.com', project: 'PLAT', slug: 'shop' } }) },
      { label: 'gitea only', object: gitRepoWith({ gitea: { url: 'https://gitea.example.com', owner: 'acme', name: 'shop' } }) },
      { label: 'azureDevOps only', object: gitRepoWith({ azureDevOps: { organizationUrl: 'https://dev.azure.com/acme', project: 'Shop', repository: 'shop' } }) },
    ],
    rejects: [
      { label: 'github and gitlab', object: gitRepoWith({ ...GITLAB, github: gitRepo.spec.github }) },
      { label: 'github and azureDevOps', object: gitRepoWith({ azureDevOps: { organizationUrl: 'https://dev.azure.com/acme', project: 'Shop', repository: 'shop' }, github: gitRepo.spec.github }) },
      { label: 'no provider', object: gitRepoWith({}) },
      { label: 'an update that adds gitlab beside github', object: gitRepoWith({ ...GITLAB, github: gitRepo.spec.github }), old: gitRepo },
    ],
  },
  {
    rule: 'GitRepo/v1alpha1:spec.credentialsRef#0',
    accepts: [
      { label: 'the README example (ssmParameter)', object: gitRepo },
      { label: 'secretsManagerArn only', object: gitRepoWith({ github: gitRepo.spec.github, credentialsRef: { secretsManagerArn: SECRET } }) },
      { label: 'secretKeyRef only', object: gitRepoWith({ github: gitRepo.spec.github, credentialsRef: { secretKeyRef: { name: 'github', key: 'token' } } }) },
    ],
    rejects: [
      { label: 'both sources', object: gitRepoWith({ github: gitRepo.spec.github, credentialsRef: { ssmParameter: '/kube-feedback/github', secretsManagerArn: SECRET } }) },
      { label: 'neither source', object: gitRepoWith({ github: gitRepo.spec.github, credentialsRef: {} }) },
      { label: 'secretKeyRef beside ssmParameter', object: gitRepoWith({ github: gitRepo.spec.github, credentialsRef: { ssmParameter: '/kube-feedback/github', secretKeyRef: { name: 'github', key: 'token' } } }) },
    ],
  },
  {
    rule: 'CommitStatus/v1alpha1:status.observedGeneration#0',
    accepts: [
      { label: 'the README example, created', object: withStatus(commitStatus, 1) },
      { label: 'a status created with the object (no old value: not evaluated)', object: synced3 },
      { label: 'the first status written', object: synced3, old: withStatus(commitStatus, 3) },
      { label: 'a newer generation synced', object: withStatus(synced3, 4, syncedStatusOf(commitStatus, 4)), old: synced3 },
      { label: 'the same generation failing on a retry', object: withStatus(synced3, 3, failedStatusOf(3)), old: synced3 },
    ],
    rejects: [
      { label: 'a stale writer that synced generation 2 after 3', object: withStatus(synced3, 3, syncedStatusOf(commitStatus, 2)), old: synced3 },
      { label: 'a stale writer that failed generation 2 after 3', object: withStatus(synced3, 3, failedStatusOf(2)), old: synced3 },
    ],
  },
];

const crds = buildCelOverlay();
const validators = celValidators(crds);

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function violations(all: ReadonlyMap<string, CelValidator>, { object, old }: Write) {
  return validatorFor(all, object).validate(object, old);
}

/** The overlay's CRDs with the rule `id` rewritten, as if someone had edited it. */
function withRule(id: string, rewrite: (text: string) => string): KubernetesObject[] {
  const broken = structuredClone(crds);
  const [kindVersion, at] = id.split(':') as [string, string];
  const [location, index] = at.split('#') as [string, string];
  const versions = broken.flatMap(crdVersions).filter(({ kind, version }) => `${kind}/${version}` === kindVersion);
  const sites = versions.flatMap((version) => ruleSites(version.schema)).filter((site) => (site.location || '<root>') === location);
  const entry = sites[0]?.node['x-kubernetes-validations']?.[Number(index)];
  if (entry === undefined) throw new Error(`no rule ${id} to rewrite`);
  entry.rule = rewrite(entry.rule);
  return broken;
}

/** A misspelling of the first field the rule reads, else of its first variable. */
function misspell(text: string): string {
  if (/\bself\.[A-Za-z_]/.test(text)) return text.replace(/\bself\.([A-Za-z_][A-Za-z0-9_]*)/, 'self.$1Typo');
  return text.replace(/\b(oldSelf|self)\b/, '$1Typo');
}

function rule(id: string) {
  const found = [...validators.values()].flatMap((validator) => validator.rules).find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no rule ${id} in the overlay`);
  return found;
}

describe('CEL rules: infra/crds/overlays/cel', () => {
  describe.each(CASES)('Rule: $rule', ({ rule: id, accepts, rejects }) => {
    it.each(accepts)('returns no violation for $label', (write) => {
      // Act
      const found = violations(validators, write);

      // Assess
      expect(found).toEqual([]);
    });

    it.each(rejects)('returns the rule and its message for $label', (write) => {
      // Prepare
      const { source } = rule(id);
      const location = id.replace(/^[^:]*:/, '').replace(/#\d+$/, '');

      // Act
      const found = violations(validators, write);

      // Assess
      expect(found).toEqual([{ rule: id, field: location, message: source.message, reason: 'FieldValueInvalid' }]);
    });
  });

  describe('Method: compile', () => {
    it.each(CASES.map((cases) => cases.rule))('throws naming %s when a name in it is misspelt', (id) => {
      // Prepare
      const broken = withRule(id, misspell);

      // Act
      const compile = () => celValidators(broken);

      // Assess
      expect(compile).toThrow(CelRuleCompileError);
      expect(compile).toThrow(new RegExp(`${escape(id)}: undeclared reference to '\\w+Typo'|${escape(id)}: undefined field '\\w+Typo'`));
    });

    it('throws naming the rule and the field when the overlay file misspells a field', () => {
      // Prepare
      const rewrite = (file: string, text: string) => (file === 'gitrepo-validations.yaml' ? text.replace('has(self.secretsManagerArn)', 'has(self.secretsManagerARN)') : text);

      // Act
      const compile = () => celValidators(buildCelOverlay(rewrite));

      // Assess
      expect(compile).toThrow("GitRepo/v1alpha1:spec.credentialsRef#0: undefined field 'secretsManagerARN'");
    });
  });

  describe('Method: coverage', () => {
    it('returns a test with a rejecting and an accepting write for every rule of the overlay', () => {
      // Act
      const ids = [...validators.values()].flatMap((validator) => validator.rules.map((compiled) => compiled.id));

      // Assess
      expect(ids.length).toBeGreaterThan(0);
      expect(CASES.map((cases) => cases.rule).sort()).toEqual([...ids].sort());
      for (const cases of CASES) {
        expect(cases.rejects.length, cases.rule).toBeGreaterThan(0);
        expect(cases.accepts.length, cases.rule).toBeGreaterThan(0);
      }
    });

    it.each(CASES.map((cases) => [cases.rule, cases] as const))('returns other verdicts when %s is negated', (id, cases) => {
      // Prepare
      const negated = celValidators(withRule(id, (text) => `!(${text})`));

      // Act
      const refused = (write: Write) => violations(negated, write).some((found) => found.rule === id);

      // Assess: every refused write now passes, and some accepted write is refused
      // (a transition rule does not run on a create, so not every one can be).
      expect(cases.rejects.filter(refused).map((write) => write.label)).toEqual([]);
      expect(cases.accepts.some(refused)).toBe(true);
    });
  });
});
