import { readFileSync } from "node:fs";
import fc from "fast-check";
import { isMap, parse, parseDocument, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { ConfigError, ConfigSchema, DEFAULT_CONFIG_YAML, parseConfigYaml } from "../../shared/config";
import { dotted, expectNamedRejection, FUZZ, isPlainObject, json, mutationOf, pathsOf, text, type Path } from "./arbitraries";

const EXAMPLE = readFileSync(new URL("../../feedback.example.yaml", import.meta.url), "utf8");

/** A config that validates again as it is, or a named rejection; a blank path only for YAML faults or a document that is not a mapping. */
const check = (yaml: string): { path?: string } => {
  try {
    const config = parseConfigYaml(yaml);
    expect(ConfigSchema.safeParse(config).success).toBe(true);
    return {};
  } catch (error) {
    const { path, reason } = expectNamedRejection(error, ConfigError, { prefix: "invalid config: " });
    if (path === "") expect(reason.startsWith("feedback.yaml") || !isMap(parseDocument(yaml).contents), reason).toBe(true);
    return { path };
  }
};

/** Line-level damage to a valid file: a line dropped, doubled or cut, or text spliced in anywhere. */
const damaged = (source: string) =>
  fc
    .record({ line: fc.nat(), kind: fc.constantFrom("drop", "double", "cut", "splice"), at: fc.nat(), insert: fc.oneof(text, fc.constantFrom(": ", "- ", "  ", "\t", "{", "]", "&a ", "*a", "!!str ", "? ", "|\n", "'", "#")) })
    .map(({ line, kind, at, insert }) => {
      const lines = source.split("\n");
      const i = line % lines.length;
      if (kind === "drop") lines.splice(i, 1);
      else if (kind === "double") lines.splice(i, 0, lines[i]!);
      else if (kind === "cut") return source.slice(0, at % (source.length + 1));
      else {
        const target = lines[i]!;
        const j = at % (target.length + 1);
        lines[i] = `${target.slice(0, j)}${insert}${target.slice(j)}`;
      }
      return lines.join("\n");
    });

describe("Function: parseConfigYaml", () => {
  it("returns a config or a named rejection when the file is any text", () => {
    fc.assert(fc.property(fc.string(), (yaml) => void check(yaml)), FUZZ);
  });

  it("returns a config or a named rejection when the file is any YAML document", () => {
    fc.assert(fc.property(json, (value) => void check(stringify(value))), FUZZ);
  });

  it.each([
    ["feedback.example.yaml", EXAMPLE],
    ["the embedded default", DEFAULT_CONFIG_YAML],
  ])("returns a config or a named rejection when lines of %s are dropped, doubled, cut or spliced", (_name, source) => {
    fc.assert(fc.property(damaged(source), (yaml) => void check(yaml)), FUZZ);
  });

  it("names the key a mutation broke, or one of its parents, when one key of the example is deleted, replaced or added", () => {
    fc.assert(
      fc.property(mutationOf(parse(EXAMPLE) as unknown), (mutation) => {
        // Act
        const { path } = check(stringify(mutation.value));

        // Assess
        if (path === undefined) return;
        const mutated = dotted(mutation.path);
        const related = path === mutated || path.startsWith(`${mutated}.`) || path.startsWith(`${mutated}[`) || mutated.startsWith(`${path}.`) || mutated.startsWith(`${path}[`);
        expect(related, `${mutation.kind} at ${mutated} rejected at ${path}`).toBe(true);
      }),
      FUZZ,
    );
  });

  it("names the path and says reserved key when __proto__, constructor or prototype is added to any mapping of the example", () => {
    // Prepare: every mapping of the example, the root and receivers' free-form options included.
    const example = parse(EXAMPLE) as unknown;
    const mappings: Path[] = [[], ...pathsOf(example)].filter((path) => isPlainObject(path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], example)));
    const addition = fc.record({ at: fc.nat({ max: mappings.length - 1 }), key: fc.constantFrom("__proto__", "constructor", "prototype"), value: json });

    fc.assert(
      fc.property(addition, ({ at, key, value }) => {
        // Prepare
        const document = structuredClone(example);
        const path = mappings[at]!;
        const target = path.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], document) as object;
        // defineProperty, not assignment: the key must become a key, not a prototype.
        Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });

        // Act
        const error = (() => {
          try {
            parseConfigYaml(stringify(document));
          } catch (e) {
            return e;
          }
          return undefined;
        })();

        // Assess
        const { path: named, reason } = expectNamedRejection(error, ConfigError, { prefix: "invalid config: " });
        expect(named).toBe(dotted([...path, key]));
        expect(reason).toBe("reserved key");
      }),
      FUZZ,
    );
  });

  describe("Regression: faults the YAML library finds only while building values", () => {
    it.each([
      ["an alias with no anchor", "cluster: *missing\n", /^invalid config: feedback\.yaml: Unresolved alias/],
      ["an alias bomb", `a: &a [x, x, x, x, x, x, x, x, x]\n${["b", "c", "d", "e"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcd"[i]}`).join(", ")}]`).join("\n")}\n`, /^invalid config: feedback\.yaml: Excessive alias count/],
    ])("throws ConfigError for %s instead of the library's ReferenceError", (_case, yaml, message) => {
      // Act & Assess
      expect(() => parseConfigYaml(yaml)).toThrow(ConfigError);
      expect(() => parseConfigYaml(yaml)).toThrow(message);
    });
  });

  describe("Regression: an unknown key named by the empty string", () => {
    it('says [""] instead of leaving the key out of the message', () => {
      // Act & Assess
      expect(() => parseConfigYaml(`${DEFAULT_CONFIG_YAML}"": 1\n`)).toThrow('invalid config: [""]: unknown key');
    });
  });
});
