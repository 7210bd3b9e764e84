import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkStandaloneConfig } from '../../../cli/run/standalone';
import { parseConfigYaml } from '../../../shared/config';
import { readManifest, REPOSITORY_ROOT } from '../../helpers/apiserver';

const DIR = join(REPOSITORY_ROOT, 'infra', 'standalone');
const NAMESPACE = 'kube-feedback';
const SUBJECT = { kind: 'ServiceAccount', name: 'kube-feedback', namespace: NAMESPACE };

type Json = Record<string, unknown>;
type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
type Obj = KubernetesObject & Json;

const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as {
  namespace: string;
  resources: string[];
  configMapGenerator: Array<{ name: string; files: string[] }>;
};
const objects = kustomization.resources.flatMap((file) => readManifest(join(DIR, file))) as Obj[];
const ofKind = (kind: string, name?: string): Obj => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0]!;
};
const config = parseConfigYaml(readFileSync(join(DIR, 'feedback.yaml'), 'utf8'), 'infra/standalone/feedback.yaml');
const deployment = ofKind('Deployment') as Obj & { spec: Json };
const pod = (deployment.spec.template as Json).spec as Json;
const container = (pod.containers as Json[])[0]!;
const env = Object.fromEntries((container.env as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value]));
const rulesOf = (object: Obj): Rule[] => object.rules as Rule[];

describe('Manifest: infra/standalone', () => {
  describe('Method: RBAC', () => {
    it('grants get, list and watch on exactly the kinds feedback.yaml watches, and patch on commitstatuses/status only', () => {
      // Prepare
      const rules = rulesOf(ofKind('ClusterRole', 'kube-feedback-standalone'));
      const read = rules.filter((r) => r.verbs?.includes('watch'));
      const granted: Record<string, string[]> = {};
      for (const rule of read) for (const group of rule.apiGroups ?? []) granted[group] = [...(granted[group] ?? []), ...(rule.resources ?? [])].sort();
      const watched: Record<string, string[]> = {};
      for (const w of config.watch) watched[w.group] = [...(watched[w.group] ?? []), w.resource].sort();

      // Assess
      expect(granted).toEqual(watched);
      for (const rule of read) expect([...(rule.verbs ?? [])].sort()).toEqual(['get', 'list', 'watch']);
      expect(rules.filter((r) => !r.verbs?.includes('watch'))).toEqual([
        { apiGroups: ['commit-status.argoproj.io'], resources: ['commitstatuses/status'], verbs: ['patch'] },
      ]);
    });

    it('grants the Lease and the known-objects ConfigMap the Deployment names, by name except for create, in its own namespace', () => {
      // Act
      const role = ofKind('Role', 'kube-feedback-standalone');

      // Assess
      expect(role.metadata?.namespace).toBe(NAMESPACE);
      expect(rulesOf(role)).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [env.RELAY_LEASE_NAME], verbs: ['get', 'update'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [env.RELAY_KNOWN_CONFIGMAP], verbs: ['get', 'update'] },
      ]);
    });

    it('grants get on Secrets through RoleBindings only, never cluster-wide', () => {
      // Prepare
      const reader = ofKind('ClusterRole', 'kube-feedback-standalone-secret-reader');
      const bindings = objects.filter((o) => (o.roleRef as Json | undefined)?.name === reader.metadata?.name);

      // Assess
      expect(rulesOf(reader)).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
      expect(bindings.map((b) => [b.kind, b.metadata?.namespace])).toEqual([['RoleBinding', NAMESPACE]]);
      const secretRules = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap(rulesOf).filter((r) => r.resources?.includes('secrets'));
      expect(secretRules).toEqual(rulesOf(reader));
    });

    it('names no wildcard and no non-resource URL in any rule, and binds every role to the pod ServiceAccount alone', () => {
      // Prepare
      const rules = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap(rulesOf);
      const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding');

      // Assess
      for (const rule of rules) {
        for (const value of [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.verbs ?? []), ...(rule.resourceNames ?? [])]) expect(value).not.toContain('*');
        expect(rule.nonResourceURLs).toBeUndefined();
      }
      expect(bindings).toHaveLength(3);
      for (const binding of bindings) expect(binding.subjects).toEqual([SUBJECT]);
      expect(pod.serviceAccountName).toBe(SUBJECT.name);
    });
  });

  describe('Method: Deployment', () => {
    it('runs one replica, recreated rather than rolled, with kube-feedback run on the PersistentVolumeClaim', () => {
      // Prepare
      const pvc = ofKind('PersistentVolumeClaim') as Obj & { spec: Json };
      const volumes = Object.fromEntries((pod.volumes as Array<Json & { name: string }>).map((v) => [v.name, v]));
      const mounts = Object.fromEntries((container.volumeMounts as Array<{ name: string; mountPath: string }>).map((m) => [m.mountPath, m.name]));
      const args = container.args as string[];
      const stateDir = args[args.indexOf('--state-dir') + 1]!;

      // Assess
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
      expect(args.slice(0, 2)).toEqual(['/app/dist/cli.mjs', 'run']);
      expect(volumes[mounts[stateDir]!]?.persistentVolumeClaim).toEqual({ claimName: pvc.metadata?.name });
      expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
      expect(env.FEEDBACK_CONFIG).toBe(`${Object.keys(mounts).find((path) => mounts[path] === 'config')}/feedback.yaml`);
      expect(volumes.config?.configMap).toEqual({ name: kustomization.configMapGenerator[0]?.name });
    });

    it('runs as non-root with a read-only root filesystem, no capabilities, and probes on the relay health server', () => {
      // Assess
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container.securityContext).toEqual({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
      expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
    });
  });

  describe('Method: kustomization', () => {
    it('lists every manifest of the folder and generates the config from a feedback.yaml that kube-feedback run accepts', () => {
      // Prepare
      const manifests = readdirSync(DIR).filter((file) => file.endsWith('.yaml') && !['kustomization.yaml', 'feedback.yaml'].includes(file));

      // Assess
      expect([...kustomization.resources].sort()).toEqual(manifests.sort());
      expect(kustomization.namespace).toBe(NAMESPACE);
      expect(kustomization.configMapGenerator).toEqual([{ name: 'kube-feedback-config', files: ['feedback.yaml'] }]);
      expect(() => checkStandaloneConfig(config)).not.toThrow();
    });
  });
});
