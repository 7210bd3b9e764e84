/**
 * The relay's manifests under `infra/relay`, as the tests read them: its
 * config (feedback.yaml), the RBAC it is granted, and the readers both the
 * manifest checks and the RBAC checks on a real kube-apiserver share, so that
 * the rules a test applies are the rules another test reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { parseConfigYaml } from '../../shared/config';
import { readManifest, REPOSITORY_ROOT } from './apiserver';

export const RELAY_DIR = join(REPOSITORY_ROOT, 'infra', 'relay');
export const BASE = join(RELAY_DIR, 'base');
/** The namespace the relay's ServiceAccount, Lease and known-objects ConfigMap live in. */
export const NAMESPACE = 'kube-feedback';
/** The name of the ConfigMap the relay saves its known objects in. */
export const KNOWN = 'kube-feedback-relay-known';

export type Json = Record<string, unknown>;
export type Rule = {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
};

/** The relay's config as the base ships it: its watch list is what the RBAC must grant. */
export const config = parseConfigYaml(readFileSync(join(BASE, 'feedback.yaml'), 'utf8'), 'infra/relay/base/feedback.yaml');
/** The ClusterRole (get, list, watch) and its binding. */
export const rbac = readManifest(join(BASE, 'clusterrole.yaml'));
/** The Role on the relay's Lease and its binding. */
export const leaseRbac = readManifest(join(BASE, 'lease-role.yaml'));
/** The Role on the relay's known-objects ConfigMap and its binding. */
export const knownRbac = readManifest(join(BASE, 'known-role.yaml'));

/** The one object of `kind` among `objects`; a second one, or none, fails the test. */
export const ofKind = (objects: KubernetesObject[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as KubernetesObject & Json;
};

/** group → sorted resources, from feedback.yaml's watch list. */
export const watchedByGroup = (): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const w of config.watch) out[w.group] = [...(out[w.group] ?? []), w.resource].sort();
  return out;
};
