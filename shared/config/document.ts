import { ConfigError } from "./errors";
import { ConfigLimit, SIZE_CAP } from "./limits";
import { formatPath } from "./path";

/**
 * Keys that name JavaScript's object machinery. A `__proto__` key inside a
 * free-form record (receivers[].options) left zod's record with a replaced
 * prototype instead of an unknown key, so a typo passed the strict check; the
 * other two are refused for the same reason wherever a config is merged or
 * copied by code that assigns keys.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** A place in the document; the path is built only when it is needed for an error. */
interface Place {
  readonly value: unknown;
  readonly key?: string | number;
  readonly parent?: Place;
  readonly depth: number;
}

const pathOf = (place: Place): string => {
  const keys: Array<string | number> = [];
  for (let at: Place | undefined = place; at?.key !== undefined; at = at.parent) keys.push(at.key);
  return formatPath(keys.reverse());
};

/** What a value that is neither a plain mapping nor a list is, for the message. */
const notPlain = (value: object): string | undefined => {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return undefined;
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  // An object literal's `__proto__: {...}` makes that object the prototype: its keys are inherited, not own.
  if (tag === "Object") return "must be a plain mapping, but its prototype was replaced (a __proto__ key in code?)";
  return `must be a mapping, a list or a scalar, not a ${tag}`;
};

/**
 * Checks the parsed document before the schema does: no reserved key at any
 * depth, nothing but plain mappings, lists and scalars, no deeper than the
 * depth limit, and no more keys and values than the size limit allows (the
 * same cap as the text, for configs built in code). Iterative, so a deep
 * document cannot overflow the stack; each shared node (a YAML alias) is
 * visited once, and one that contains itself is refused.
 */
export const checkDocument = (root: unknown, source: string): void => {
  const stack: Place[] = [{ value: root, depth: 1 }];
  const seen = new Set<object>();
  let size = 0;
  for (let place = stack.pop(); place; place = stack.pop()) {
    const { value, depth } = place;
    size += typeof value === "string" ? value.length : 1;
    if (size > ConfigLimit.Bytes) throw new ConfigError("", `${source}: its keys and values come to over ${SIZE_CAP}`);
    if (value === null || typeof value !== "object") continue;
    if (seen.has(value)) {
      // Shared is fine (an alias used twice); containing itself is not: no code downstream expects a cycle.
      for (let at = place.parent; at; at = at.parent) {
        if (at.value === value) throw new ConfigError(pathOf(place), "contains itself (an alias inside its own anchor)");
      }
      continue;
    }
    seen.add(value);
    if (depth > ConfigLimit.Depth) throw new ConfigError(pathOf(place), `nested deeper than ${ConfigLimit.Depth} levels`);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i] as unknown, key: i, parent: place, depth: depth + 1 });
      continue;
    }
    const reason = notPlain(value);
    if (reason) throw new ConfigError(pathOf(place), reason);
    // Own keys, enumerable or not: the YAML library and JSON.parse both make `__proto__` an own key.
    const keys = Reflect.ownKeys(value).filter((key): key is string => typeof key === "string");
    for (const key of keys) {
      if (RESERVED_KEYS.has(key)) throw new ConfigError(pathOf({ value: undefined, key, parent: place, depth }), "reserved key");
      size += key.length;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      stack.push({ value: (value as Record<string, unknown>)[key], key, parent: place, depth: depth + 1 });
    }
  }
};
