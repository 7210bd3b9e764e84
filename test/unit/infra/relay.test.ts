import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest, REPOSITORY_ROOT } from '../../helpers/apiserver';
import {
  BASE,
  KNOWN,
  knownRbac,
  leaseRbac,
  NAMESPACE,
  ofKind,
  rbac,
  RELAY_DIR,
  watchedByGroup,
  type Json,
  type Rule,
} from '../../helpers/relay-manifests';

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
