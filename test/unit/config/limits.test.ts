import { closeSync, mkdtempSync, openSync, writeFileSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigLimit, loadConfig, parseConfig, parseConfigYaml } from "../../../shared/config";
import { BASE_YAML, rejectionOf } from "./rejection";

const CAP = "the 1 MB (1048576 bytes) limit";

/** BASE_YAML padded with a comment to exactly `bytes` UTF-8 bytes, made of `unit` (one or two bytes each). */
const padded = (bytes: number, unit = "x"): string => {
  const room = bytes - Buffer.byteLength(`${BASE_YAML}#\n`);
  const units = Math.floor(room / Buffer.byteLength(unit));
  return `${BASE_YAML}#${unit.repeat(units)}${"x".repeat(room - units * Buffer.byteLength(unit))}\n`;
};

const tempFile = (): string => join(mkdtempSync(join(tmpdir(), "kube-feedback-config-")), "feedback.yaml");

/** An object `levels` mappings deep: { a: { a: … {} } }. */
const nested = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe("Function: parseConfigYaml", () => {
  describe("Size cap", () => {
    it("accepts a config of exactly 1 MB", () => {
      // Prepare
      const text = padded(ConfigLimit.Bytes);

      // Act
      const config = parseConfigYaml(text);

      // Assess
      expect(Buffer.byteLength(text)).toBe(1_048_576);
      expect(config.cluster).toBe("prod");
    });

    it.each([
      ["one byte over", padded(ConfigLimit.Bytes + 1), 1_048_577],
      ["under 1 MB in characters but over it in UTF-8 bytes", padded(ConfigLimit.Bytes + 2, "ü"), 1_048_578],
      ["a 50 MB watch list", "x".repeat(50 * 1_048_576), 52_428_800],
    ])("throws a ConfigError naming the cap for a text %s, before parsing", (_case, text, bytes) => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(text));

      // Assess
      expect(error.path).toBe("");
      expect(error.reason).toBe(`feedback.yaml: is ${bytes} bytes, over ${CAP}`);
    });
  });

  describe("Nesting", () => {
    it.each([
      ["65 flow lists", `${BASE_YAML}x: ${"[".repeat(65)}${"]".repeat(65)}\n`, "feedback.yaml line 4: nested deeper than 64 levels"],
      ["a 1 MB run of brackets", `${BASE_YAML}\n${"[".repeat(500_000)}`, "feedback.yaml line 5: nested deeper than 64 levels"],
      ["flow mappings and lists mixed", `${BASE_YAML}receivers: [{ name: a, type: console, options: ${"{a: [".repeat(33)}${"]}".repeat(33)} }]\n`, "feedback.yaml line 4: nested deeper than 64 levels"],
    ])("throws a ConfigError naming the line for %s, before parsing", (_case, yaml, reason) => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(yaml));

      // Assess
      expect(error.path).toBe("");
      expect(error.reason).toBe(reason);
    });

    it("throws a ConfigError naming the path for block mappings nested past the limit", () => {
      // Prepare: the options mapping is the 4th level (document, receivers, receiver, options).
      const indent = (level: number) => "  ".repeat(level);
      const levels = Array.from({ length: 70 }, (_, i) => `${indent(i + 3)}a:`).join("\n");
      const yaml = `${BASE_YAML}receivers:\n  - name: a\n    type: console\n    options:\n${levels} 1\n`;

      // Act
      const error = rejectionOf(() => parseConfigYaml(yaml));

      // Assess
      expect(error.path).toBe(`receivers[0].options${".a".repeat(61)}`);
      expect(error.reason).toBe("nested deeper than 64 levels");
    });

    it("does not count brackets inside quoted strings, plain scalars and comments", () => {
      // Prepare
      const brackets = "[{".repeat(100);
      const yaml = `${BASE_YAML}# ${brackets}\nreceivers:\n  - name: a\n    type: console\n    options:\n      quoted: "${brackets}"\n      plain: a${brackets}\n`;

      // Act
      const config = parseConfigYaml(yaml);

      // Assess
      expect(config.receivers[0]?.options).toEqual({ quoted: brackets, plain: `a${brackets}` });
    });
  });
});

describe("Function: parseConfig", () => {
  it("throws a ConfigError naming the cap when an object's keys and values come to over 1 MB", () => {
    // Prepare
    const config = { cluster: "a", watch: [{ version: "v1", resource: "jobs" }], receivers: [{ name: "a", type: "console", options: { blob: "x".repeat(ConfigLimit.Bytes) } }] };

    // Act
    const error = rejectionOf(() => parseConfig(config));

    // Assess
    expect(error.path).toBe("");
    expect(error.reason).toBe(`config object: its keys and values come to over ${CAP}`);
  });

  it("throws a ConfigError naming the path when an object nests past the limit", () => {
    // Prepare
    const config = { cluster: "a", watch: [{ version: "v1", resource: "jobs" }], receivers: [{ name: "a", type: "console", options: nested(10_000) }] };

    // Act
    const error = rejectionOf(() => parseConfig(config));

    // Assess
    expect(error.path).toBe(`receivers[0].options${".a".repeat(61)}`);
    expect(error.reason).toBe("nested deeper than 64 levels");
  });

  it("accepts options nested to the limit", () => {
    // Prepare: options is the 4th level, so 60 more mappings inside it reach 64.
    const config = { cluster: "a", watch: [{ version: "v1", resource: "jobs" }], receivers: [{ name: "a", type: "console", options: nested(60) }] };

    // Act & Assess
    expect(parseConfig(config).receivers[0]?.options).toEqual(nested(60));
  });
});

describe("Function: loadConfig", () => {
  it("refuses a file over the cap from its size alone, without reading it", () => {
    // Prepare: a sparse 4 GiB file; reading it whole would fail in Node (over its 2 GiB buffer limit).
    const file = tempFile();
    const fd = openSync(file, "w");
    ftruncateSync(fd, 4 * 1024 ** 3);
    closeSync(fd);

    // Act
    const error = rejectionOf(() => loadConfig(file));

    // Assess
    expect(error.path).toBe("");
    expect(error.reason).toBe(`${file}: is 4294967296 bytes, over ${CAP}`);
  });

  it("refuses a file one byte over the cap", () => {
    // Prepare
    const file = tempFile();
    writeFileSync(file, padded(ConfigLimit.Bytes + 1));

    // Act
    const error = rejectionOf(() => loadConfig(file));

    // Assess
    expect(error.reason).toBe(`${file}: is 1048577 bytes, over ${CAP}`);
  });

  it("stops reading a source with no size (a device, a pipe) one byte past the cap", () => {
    // Act: /dev/zero reports size 0 and never ends.
    const error = rejectionOf(() => loadConfig("/dev/zero"));

    // Assess
    expect(error.path).toBe("");
    expect(error.reason).toBe(`/dev/zero: is over ${CAP}`);
  });

  it("loads a file of exactly 1 MB", () => {
    // Prepare
    const file = tempFile();
    writeFileSync(file, padded(ConfigLimit.Bytes));

    // Act & Assess
    expect(loadConfig(file).cluster).toBe("prod");
  });
});
