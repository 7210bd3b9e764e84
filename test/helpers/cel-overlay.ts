/**
 * The CRDs of `infra/crds/overlays/cel` as kustomize builds them, and every
 * `x-kubernetes-validations` rule in them with the schema node it sits on.
 *
 * No kustomize binary is assumed on the test machine, so the overlay is built
 * here: the base through `readKustomization`, then the overlay's JSON patches
 * (RFC 6902) applied to the CRD each `target` selects. Anything else a
 * kustomization can say is refused rather than half-applied.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { readKustomization, REPOSITORY_ROOT } from './apiserver';

export const CEL_OVERLAY = join(REPOSITORY_ROOT, 'infra', 'crds', 'overlays', 'cel');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

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

function tokens(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 `test`, `add`, `replace` and `remove`; `move` and `copy` are not used by the overlay. */
export function applyJsonPatch(document: Json, operations: readonly Operation[]): Json {
  const result = structuredClone(document);
  for (const { op, path, value } of operations) {
    const keys = tokens(path);
    const last = keys.pop() ?? '';
    let parent: Json = result;
    for (const key of keys) {
      const next: Json | undefined = parent !== null && typeof parent === 'object' ? (parent as Record<string, Json>)[key] : undefined;
      if (next === undefined) throw new Error(`${op} ${path}: no "${key}" in the document`);
      parent = next;
    }
    if (parent === null || typeof parent !== 'object') throw new Error(`${op} ${path}: the parent is not an object or array`);
    const container = parent as Record<string, Json>;
    const index = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : undefined;
    if (op === 'test') {
      if (JSON.stringify(container[last]) !== JSON.stringify(value)) throw new Error(`test ${path}: expected ${JSON.stringify(value)}, found ${JSON.stringify(container[last])}`);
    } else if ((op === 'add' || op === 'replace') && value !== undefined) {
      if (op === 'replace' && !(last in container)) throw new Error(`replace ${path}: nothing to replace`);
      if (Array.isArray(parent) && index !== undefined) parent.splice(index, op === 'replace' ? 1 : 0, value);
      else container[last] = value;
    } else if (op === 'remove' && last in container) {
      if (Array.isArray(parent) && index !== undefined) parent.splice(index, 1);
      else delete container[last];
    } else {
      throw new Error(`${op} ${path}: not supported here (or no value / nothing to remove)`);
    }
  }
  return result;
}

function selects(object: KubernetesObject, target: Target): boolean {
  const apiVersion = object.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || target.name === object.metadata?.name)
  );
}

/**
 * The overlay's CRDs. `rewrite` edits each patch file's text before it is
 * parsed, so a test can break a rule on purpose and see the suite notice.
 */
export function buildCelOverlay(rewrite: (file: string, text: string) => string = (_file, text) => text): KubernetesObject[] {
  const kustomization = parse(readFileSync(join(CEL_OVERLAY, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !['apiVersion', 'kind', 'resources', 'patches'].includes(key));
  if (unsupported.length > 0) throw new Error(`overlays/cel/kustomization.yaml: unsupported keys ${unsupported.join(', ')}`);
  let objects = ((kustomization.resources ?? []) as string[]).flatMap((entry) => readKustomization(join(CEL_OVERLAY, entry)));
  for (const patch of (kustomization.patches ?? []) as Array<{ path?: string; target?: Target }>) {
    if (patch.path === undefined || patch.target === undefined) throw new Error('overlays/cel: only patches with a path and a target are supported');
    const { path, target } = patch;
    const operations = parse(rewrite(path, readFileSync(join(CEL_OVERLAY, path), 'utf8'))) as unknown;
    if (!Array.isArray(operations)) throw new Error(`overlays/cel/${path}: not a JSON patch (a list of operations)`);
    const hits = objects.filter((object) => selects(object, target)).length;
    if (hits !== 1) throw new Error(`overlays/cel/${path}: target matches ${hits} objects`);
    objects = objects.map((object) => (selects(object, target) ? (applyJsonPatch(object as unknown as Json, operations as Operation[]) as unknown as KubernetesObject) : object));
  }
  return objects;
}

/** The part of a structural schema that CEL validation reads. */
export interface Schema {
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: ValidationRule[];
}

/** One entry of `x-kubernetes-validations`, as apiextensions.k8s.io/v1 declares it. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface CrdVersion {
  kind: string;
  version: string;
  schema: Schema;
}

/** The kind and every version's openAPIV3Schema of a CRD. */
export function crdVersions(crd: KubernetesObject): CrdVersion[] {
  const spec = (crd as unknown as { spec: { names: { kind: string }; versions: Array<{ name: string; schema?: { openAPIV3Schema?: Schema } }> } }).spec;
  return spec.versions.map((version) => {
    const schema = version.schema?.openAPIV3Schema;
    if (schema === undefined) throw new Error(`${spec.names.kind} ${version.name}: no openAPIV3Schema`);
    return { kind: spec.names.kind, version: version.name, schema };
  });
}
