import { join } from 'node:path';
import type { V1ClusterRole, V1ClusterRoleBinding } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { readKustomization, REPOSITORY_ROOT } from '../../helpers/apiserver';

const objects = readKustomization(join(REPOSITORY_ROOT, 'infra', 'rbac'));

describe('ClusterRole: kube-feedback-commitstatus-writer', () => {
  describe('Method: rules', () => {
    it('returns only read access to gitrepos and commitstatuses and patch on commitstatuses/status', () => {
      // Act
      const role = objects.find((object) => object.kind === 'ClusterRole') as V1ClusterRole;

      // Assess
      expect(role.metadata?.name).toBe('kube-feedback-commitstatus-writer');
      expect(role.rules).toEqual([
        { apiGroups: ['commit-status.argoproj.io'], resources: ['gitrepos', 'commitstatuses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['commit-status.argoproj.io'], resources: ['commitstatuses/status'], verbs: ['patch'] },
      ]);
    });
  });

  describe('Method: binding', () => {
    it('returns a binding of the role to the user kube-feedback-writer', () => {
      // Act
      const bindings = objects.filter((object) => object.kind === 'ClusterRoleBinding') as V1ClusterRoleBinding[];

      // Assess
      expect(objects).toHaveLength(2);
      expect(bindings).toHaveLength(1);
      expect(bindings[0]?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kube-feedback-commitstatus-writer' });
      expect(bindings[0]?.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'kube-feedback-writer' }]);
    });
  });
});
