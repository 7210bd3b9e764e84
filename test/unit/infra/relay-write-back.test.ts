import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ClusterRole, V1ClusterRoleBinding, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigYaml } from '../../../shared/config';
import { readManifest, REPOSITORY_ROOT } from '../../helpers/apiserver';

const RELAY = join(REPOSITORY_ROOT, 'infra', 'relay');
const COMPONENT = join(RELAY, 'components', 'write-back');
const kustomization = (dir: string) => parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
const feedback = (path: string) => parseConfigYaml(readFileSync(path, 'utf8'), path);

describe('Component: infra/relay/components/write-back', () => {
  it('grants the relay ServiceAccount patch on commitstatuses/status and nothing else', () => {
    // Prepare
    const objects = readManifest(join(COMPONENT, 'rbac.yaml'));
    const role = objects.find((o) => o.kind === 'ClusterRole') as V1ClusterRole;
    const binding = objects.find((o) => o.kind === 'ClusterRoleBinding') as V1ClusterRoleBinding;

    // Assess
    expect(objects).toHaveLength(2);
    expect(role.rules).toEqual([{ apiGroups: ['commit-status.argoproj.io'], resources: ['commitstatuses/status'], verbs: ['patch'] }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata?.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'relay', namespace: 'kube-feedback' }]);
  });

  it('replaces the relay config with the base one plus kubernetes.via: relay', () => {
    // Prepare
    const base = feedback(join(RELAY, 'base', 'feedback.yaml'));
    const writeBack = feedback(join(COMPONENT, 'feedback.yaml'));

    // Assess
    expect(kustomization(COMPONENT)).toMatchObject({
      kind: 'Component',
      resources: ['rbac.yaml'],
      configMapGenerator: [{ name: 'relay-config', behavior: 'replace', files: ['feedback.yaml'] }],
    });
    expect(writeBack.kubernetes.via).toBe('relay');
    expect(writeBack.watch).toEqual(base.watch);
    expect(writeBack.cluster).toBe(base.cluster);
  });
});

describe('Overlays: infra/relay/overlays/write-back and webhook-sink-write-back', () => {
  it('gives the SQS-sink relay its IRSA role and OPERATIONS_QUEUE_URL with the component', () => {
    // Prepare
    const dir = join(RELAY, 'overlays', 'write-back');
    const patch = readManifest(join(dir, 'deployment-patch.yaml'))[0] as V1Deployment;
    const env = patch.spec?.template.spec?.containers[0]?.env ?? [];

    // Assess
    expect(kustomization(dir)).toMatchObject({ resources: ['../../base'], components: ['../../components/write-back'] });
    expect(env.map((e) => e.name)).toEqual(['OPERATIONS_QUEUE_URL']);
    expect(env[0]?.value).toMatch(/^https:\/\/sqs\..+-operations\.fifo$/);
    expect(readManifest(join(dir, 'serviceaccount-irsa.yaml'))[0]?.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::/);
  });

  it('adds the component to the webhook-sink relay, which needs no AWS identity for it', () => {
    // Act
    const overlay = kustomization(join(RELAY, 'overlays', 'webhook-sink-write-back'));

    // Assess
    expect(overlay).toMatchObject({ resources: ['../webhook-sink'], components: ['../../components/write-back'] });
    expect(overlay.patches).toBeUndefined();
  });
});
