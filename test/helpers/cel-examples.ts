/**
 * GitRepo and CommitStatus objects for the CEL rule tests, taken from what the
 * project itself shows and writes: the README's examples (so an example that a
 * rule would refuse fails the suite) and the status the sync writes back
 * (`syncedStatus` / `failedStatus`), applied the way the API server applies a
 * JSON merge patch to the status subresource.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { failedStatus, syncedStatus, type SyncRecord } from '../../shared/commitstatus';
import { REPOSITORY_ROOT } from './apiserver';

export type Example = KubernetesObject & { spec: Record<string, unknown>; status?: Record<string, unknown> };

const GROUP = 'commit-status.argoproj.io/';

/** The README's YAML examples of our own kinds, by kind. */
export function readmeExamples(): Map<string, Example> {
  const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  const examples = new Map<string, Example>();
  for (const [, block] of readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
    for (const document of parseAllDocuments(block ?? '')) {
      const object = document.toJS() as Example | null;
      if (object?.apiVersion?.startsWith(GROUP) && object.kind !== undefined && !examples.has(object.kind)) examples.set(object.kind, object);
    }
  }
  return examples;
}

/** The README's example of `kind`; a missing example is an error, not an empty test. */
export function readmeExample(kind: 'GitRepo' | 'CommitStatus'): Example {
  const example = readmeExamples().get(kind);
  if (example === undefined) throw new Error(`README.md has no YAML example of ${GROUP}${kind}`);
  return structuredClone(example);
}

/** RFC 7386 JSON merge patch: null removes a field, objects merge, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const NOW = new Date('2025-03-01T12:00:00Z');

/** The status the sync writes after writing `object`'s spec to GitHub, for `generation`. */
export function syncedStatusOf(object: Example, generation: number): Record<string, unknown> {
  const spec = object.spec as { gitRepoRef: { name: string }; sha: string; name: string; phase: SyncRecord['phase']; description?: string; url?: string };
  // Only the fields a written status is made of; the rest of a sync record is bookkeeping.
  const record = {
    gitRepo: spec.gitRepoRef.name,
    type: 'github',
    repo: { kind: 'github', owner: 'acme', name: 'shop' },
    label: 'github.com/acme/shop',
    sha: spec.sha,
    name: spec.name,
    phase: spec.phase,
    description: spec.description ?? '',
    url: spec.url ?? '',
    providerIds: { checkRunId: 4711 },
    generation,
  } as SyncRecord;
  return syncedStatus(record, NOW);
}

/** The status the sync writes when it could not sync `generation`. */
export function failedStatusOf(generation: number): Record<string, unknown> {
  return failedStatus('GitRepo "shop" not found', 'GitRepoNotFound', generation, NOW);
}

/** `object` at `generation` with `status` merged in, as the status subresource stores it. */
export function withStatus(object: Example, generation: number, status?: Record<string, unknown>): Example {
  const stored = structuredClone(object);
  stored.metadata = { ...stored.metadata, generation };
  return status === undefined ? stored : (mergePatch(stored, { status }) as Example);
}
