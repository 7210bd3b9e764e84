/**
 * Arbitraries and mutations shared by the fuzz tests: untrusted JSON,
 * Kubernetes-shaped objects whose every field may be wrong, and one-step
 * mutations of a valid document, each naming the path it touched.
 */
import fc from "fast-check";
import { expect } from "vitest";

/** Every run is reproducible: failures print the seed and the shrunk counterexample. */
export const FUZZ = { seed: 20_261_120, numRuns: 300 } as const;

export const json = fc.jsonValue({ maxDepth: 3 });

/** Strings as people and tools get them wrong: empty, blank, unicode, near-misses of valid values. */
export const text = fc.oneof(fc.string(), fc.constantFrom("", " ", "null", "0", "__proto__", "constructor", "toString", "a.b", "ü/ß", "x".repeat(300)));

export type Path = Array<string | number>;

/** Every path into a JSON document, parents before children (the root is not included). */
export const pathsOf = (value: unknown, prefix: Path = []): Path[] => {
  if (value === null || typeof value !== "object") return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
};

const parentOf = (root: unknown, path: Path): Record<string | number, unknown> =>
  path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root) as Record<string | number, unknown>;

export const Mutation = {
  Delete: "delete",
  Replace: "replace",
  AddKey: "add-key",
} as const;
export type Mutation = (typeof Mutation)[keyof typeof Mutation];

export interface Mutated<T> {
  value: T;
  kind: Mutation;
  /** Where the mutation happened; for an added key, the new key's path. */
  path: Path;
}

const define = (target: object, key: string | number, value: unknown): void => {
  // defineProperty, not assignment: a key named __proto__ must become a key, not a prototype.
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
};

/**
 * One mutation of `base` at one of its paths: a key deleted, a value
 * replaced by any JSON, or an unknown key added (at the root, or in any
 * object of the document).
 */
export const mutationOf = <T>(base: T): fc.Arbitrary<Mutated<T>> => {
  const paths: Path[] = [[], ...pathsOf(base)];
  return fc
    .record({ at: fc.nat({ max: paths.length - 1 }), kind: fc.constantFrom(...Object.values(Mutation)), replacement: json, key: text })
    .map(({ at, kind, replacement, key }): Mutated<T> => {
      const value = structuredClone(base);
      const path = paths[at]!;
      if (path.length === 0) {
        define(value as object, key, replacement);
        return { value, kind: Mutation.AddKey, path: [key] };
      }
      const parent = parentOf(value, path);
      const last = path.at(-1)!;
      const target = parent[last];
      if (kind === Mutation.AddKey && isPlainObject(target)) {
        define(target, key, replacement);
        return { value, kind, path: [...path, key] };
      }
      if (kind === Mutation.Delete) {
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        return { value, kind, path };
      }
      define(parent, last, replacement);
      return { value, kind: Mutation.Replace, path };
    });
};

/**
 * Asserts the shape every rejection must have: the module's named error
 * class, a `path` naming the field (or empty for the document as a whole),
 * a non-empty reason, and a message that says `<path>: <reason>`.
 */
export const expectNamedRejection = (
  error: unknown,
  errorClass: abstract new (...args: never[]) => Error,
  options: { prefix?: string; reasonOf?: (error: Error) => string | undefined } = {},
): { path: string; reason: string } => {
  expect(error, String(error)).toBeInstanceOf(errorClass);
  const e = error as Error & { path?: unknown; reason?: unknown };
  expect(e.name).toBe(errorClass.name);
  expect(typeof e.path).toBe("string");
  const path = e.path as string;
  const reason = options.reasonOf?.(e) ?? (e.reason as string | undefined) ?? e.message.slice(path ? path.length + 2 : 0);
  expect(reason.trim().length, e.message).toBeGreaterThan(0);
  expect(e.message).toBe(`${options.prefix ?? ""}${path ? `${path}: ` : ""}${reason}`);
  return { path, reason };
};

/** The dotted path (`a.b[2].c`) the modules print for a path of keys. */
export const dotted = (path: Path): string =>
  path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : key === "" ? `${acc}[""]` : acc ? `${acc}.${key}` : key), "");

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
