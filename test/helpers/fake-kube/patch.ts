/**
 * The two patch formats the fake accepts, plus the structural equality the
 * store uses to decide whether a write changed anything.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Thrown for a patch document the server would reject (HTTP 422 on a real one). */
export class PatchError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqual(a[key], b[key]));
  }
  return false;
}

/**
 * RFC 7386: objects merge recursively, `null` deletes a key, anything else
 * (arrays included) replaces the target wholesale.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

/** RFC 6901: `~1` is `/` and `~0` is `~`, decoded in that order. */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveParent(document: unknown, tokens: string[]): { parent: unknown; key: string } {
  let node = document;
  for (const token of tokens.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(token)] : isPlainObject(node) ? node[token] : undefined;
    if (node === undefined) throw new PatchError(`path "/${tokens.join('/')}" does not exist`);
  }
  return { parent: node, key: tokens[tokens.length - 1] ?? '' };
}

function readAt(document: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return document;
  const { parent, key } = resolveParent(document, tokens);
  const value = Array.isArray(parent) ? parent[Number(key)] : isPlainObject(parent) ? parent[key] : undefined;
  if (value === undefined) throw new PatchError(`path "${pointer}" does not exist`);
  return value;
}

function removeAt(document: unknown, pointer: string): void {
  const { parent, key } = resolveParent(document, parsePointer(pointer));
  readAt(document, pointer);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isPlainObject(parent)) delete parent[key];
}

function writeAt(document: unknown, pointer: string, value: unknown, insert: boolean): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = resolveParent(document, tokens);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`index "${key}" out of range`);
    parent.splice(index, insert ? 0 : 1, structuredClone(value));
  } else if (isPlainObject(parent)) {
    parent[key] = structuredClone(value);
  } else {
    throw new PatchError(`path "${pointer}" does not exist`);
  }
  return document;
}

/** RFC 6902, applied to a copy so a failing operation leaves the target untouched. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let document = structuredClone(target);
  for (const operation of operations as JsonPatchOperation[]) {
    switch (operation.op) {
      case 'add':
        document = writeAt(document, operation.path, operation.value, true);
        break;
      case 'replace':
        readAt(document, operation.path);
        document = writeAt(document, operation.path, operation.value, false);
        break;
      case 'remove':
        removeAt(document, operation.path);
        break;
      case 'copy':
        document = writeAt(document, operation.path, readAt(document, operation.from ?? ''), true);
        break;
      case 'move': {
        const value = readAt(document, operation.from ?? '');
        removeAt(document, operation.from ?? '');
        document = writeAt(document, operation.path, value, true);
        break;
      }
      case 'test':
        if (!deepEqual(readAt(document, operation.path), operation.value)) {
          throw new PatchError(`test operation failed at "${operation.path}"`);
        }
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${String((operation as { op?: unknown }).op)}"`);
    }
  }
  return document;
}
