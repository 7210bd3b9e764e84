import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseConfig, parseConfigYaml } from "../../../shared/config";
import { BASE_YAML, rejectionOf } from "./rejection";

const withOptions = (options: string) => `${BASE_YAML}receivers:\n  - name: a\n    type: console\n    options: ${options}\n`;

/** A config built in code around one receiver's options. */
const withOptionsObject = (options: unknown) => ({
  cluster: "a",
  watch: [{ version: "v1", resource: "jobs" }],
  receivers: [{ name: "a", type: "console", options }],
});

describe("Function: parseConfigYaml", () => {
  describe("Reserved keys", () => {
    it.each([
      ["__proto__ at the top level", `${BASE_YAML}__proto__: { cluster: other }\n`, "__proto__"],
      ["constructor at the top level", `${BASE_YAML}constructor: 1\n`, "constructor"],
      ["prototype in processing", `${BASE_YAML}processing: { prototype: { maxRetries: 1 } }\n`, "processing.prototype"],
      ["__proto__ in a watch entry", "cluster: a\nwatch:\n  - { version: v1, resource: jobs, __proto__: { namespaces: [ci] } }\n", "watch[0].__proto__"],
      ["__proto__ in a receiver's selector", `${BASE_YAML}receivers:\n  - { name: a, type: console, selector: { __proto__: {} } }\n`, "receivers[0].selector.__proto__"],
      ["__proto__ in a receiver's free-form options", withOptions("{ __proto__: { typo: 1 } }"), "receivers[0].options.__proto__"],
      ["a quoted __proto__ key", withOptions('{ "__proto__": 1 }'), "receivers[0].options.__proto__"],
      ["constructor deep inside options", withOptions("{ retry: { policy: { constructor: 1 } } }"), "receivers[0].options.retry.policy.constructor"],
      ["prototype in a list inside options", withOptions("{ headers: [{ a: 1 }, { prototype: 2 }] }"), "receivers[0].options.headers[1].prototype"],
    ])("throws a ConfigError naming the path for %s", (_case, yaml, path) => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(yaml));

      // Assess
      expect(error.path).toBe(path);
      expect(error.reason).toBe("reserved key");
      expect(error.message).toBe(`invalid config: ${path}: reserved key`);
    });

    it("accepts keys that only look like reserved ones, and reserved words as values", () => {
      // Prepare
      const yaml = withOptions("{ proto: 1, __proto: 2, Constructor: 3, toString: 4, hasOwnProperty: 5, name: __proto__ }");

      // Act
      const config = parseConfigYaml(yaml);

      // Assess
      expect(config.receivers[0]?.options).toEqual({ proto: 1, __proto: 2, Constructor: 3, toString: 4, hasOwnProperty: 5, name: "__proto__" });
    });

    it("pollutes no prototype while parsing a __proto__ key", () => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(`${BASE_YAML}__proto__: { polluted: true }\nreceivers:\n  - { name: a, type: console, options: { __proto__: { polluted: true } } }\n`));

      // Assess
      expect(error.path).toBe("__proto__");
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty("polluted");
    });

    it("relies on the yaml library making __proto__ an own key, not the prototype", () => {
      // Act
      const value = parse("__proto__: { polluted: true }\n") as object;

      // Assess: the walk sees the key only because the library defines it as a property.
      expect(Object.keys(value)).toEqual(["__proto__"]);
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    });
  });

  describe("Aliases", () => {
    it("throws a ConfigError naming the path for an alias inside its own anchor", () => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(withOptions("&o { self: *o }")));

      // Assess
      expect(error.path).toBe("receivers[0].options.self");
      expect(error.reason).toBe("contains itself (an alias inside its own anchor)");
    });

    it("accepts an alias used twice", () => {
      // Act
      const config = parseConfigYaml(withOptions("{ a: &x { k: 1 }, b: *x }"));

      // Assess
      expect(config.receivers[0]?.options).toEqual({ a: { k: 1 }, b: { k: 1 } });
    });

    it("throws a ConfigError naming the path for a YAML 1.1 set, which is no plain mapping", () => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(`%YAML 1.1\n---\n${withOptions("{ tags: !!set { a, b } }")}`));

      // Assess
      expect(error.path).toBe("receivers[0].options.tags");
      expect(error.reason).toBe("must be a mapping, a list or a scalar, not a Set");
    });
  });
});

describe("Function: parseConfig", () => {
  it.each([
    ["a __proto__ key from JSON.parse", JSON.parse('{ "__proto__": { "typo": 1 } }') as unknown, "receivers[0].options.__proto__", "reserved key"],
    ["a defined constructor key", Object.defineProperty({}, "constructor", { value: 1, enumerable: true }), "receivers[0].options.constructor", "reserved key"],
    ["a non-enumerable prototype key", Object.defineProperty({}, "prototype", { value: 1, enumerable: false }), "receivers[0].options.prototype", "reserved key"],
    ["an object literal's __proto__, which replaces the prototype", { __proto__: { typo: 1 } }, "receivers[0].options", "must be a plain mapping, but its prototype was replaced (a __proto__ key in code?)"],
    ["a Map", new Map([["typo", 1]]), "receivers[0].options", "must be a mapping, a list or a scalar, not a Map"],
    ["a Date deep inside", { since: [new Date(0)] }, "receivers[0].options.since[0]", "must be a mapping, a list or a scalar, not a Date"],
  ])("throws a ConfigError naming the path for %s in options", (_case, options, path, reason) => {
    // Act
    const error = rejectionOf(() => parseConfig(withOptionsObject(options)));

    // Assess
    expect(error.path).toBe(path);
    expect(error.reason).toBe(reason);
  });

  it("throws a ConfigError naming the path for options that contain themselves", () => {
    // Prepare
    const options: Record<string, unknown> = { list: [] };
    (options.list as unknown[]).push({ back: options });

    // Act
    const error = rejectionOf(() => parseConfig(withOptionsObject(options)));

    // Assess
    expect(error.path).toBe("receivers[0].options.list[0].back");
    expect(error.reason).toBe("contains itself (an alias inside its own anchor)");
  });

  it("accepts options without a prototype", () => {
    // Prepare
    const options = Object.assign(Object.create(null) as object, { stages: true });

    // Act & Assess
    expect(parseConfig(withOptionsObject(options)).receivers[0]?.options).toEqual({ stages: true });
  });
});
