import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConfigError, loadConfig, parseConfigYaml } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";

const base = "cluster: prod\nwatch:\n  - { group: tekton.dev, version: v1, resource: pipelineruns }\n";

describe("Function: parseConfigYaml", () => {
  it("returns the config with defaults filled in when it is valid", () => {
    // Act
    const config = parseConfigYaml(base);

    // Assess
    expect(config.cluster).toBe("prod");
    expect(config.watch[0]).toEqual({ group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [] });
    expect(config.processing.maxRetries).toBe(5);
    expect(config.processing.backoff).toEqual({ baseSeconds: 2, capSeconds: 300 });
  });

  it.each([
    ["an unknown top-level key", `${base}recievers: []\n`, "recievers", "unknown key"],
    ["an unknown nested key", `${base}processing: { maxRetry: 3 }\n`, "processing.maxRetry", "unknown key"],
    ["an unknown key in a list item", "cluster: a\nwatch:\n  - { version: v1, resource: jobs, namespace: ci }\n", "watch[0].namespace", "unknown key"],
    ["a wrong type", `${base}processing: { maxRetries: many }\n`, "processing.maxRetries", "expected number"],
    ["an invalid cluster name", "cluster: Prod_1\nwatch: [{ version: v1, resource: jobs }]\n", "cluster", "lower-case"],
    ["an empty watch list", "cluster: a\nwatch: []\n", "watch", "at least one"],
    ["a missing cluster", "watch: [{ version: v1, resource: jobs }]\n", "cluster", ""],
    ["a backoff cap above SQS's limit", `${base}processing: { backoff: { capSeconds: 50000 } }\n`, "processing.backoff.capSeconds", "12 hours"],
    ["a malformed label selector", `${base}receivers:\n  - { name: a, type: console, selector: { labelSelector: "app in prod" } }\n`, "receivers[0].selector.labelSelector", "invalid label selector"],
    ["a duplicate receiver name", `${base}receivers:\n  - { name: a, type: console }\n  - { name: a, type: console }\n`, "receivers[1].name", "duplicate"],
  ])("throws a ConfigError naming the key for %s", (_case, yaml, path, reason) => {
    // Act
    const act = () => parseConfigYaml(yaml);

    // Assess
    expect(act).toThrow(ConfigError);
    try {
      act();
    } catch (error) {
      expect((error as ConfigError).path).toBe(path);
      expect((error as ConfigError).message).toContain(path);
      expect((error as ConfigError).reason).toContain(reason);
    }
  });

  it("throws a ConfigError naming the line for a YAML syntax error", () => {
    // Act & Assess
    expect(() => parseConfigYaml("cluster: a\nwatch: [\n", "feedback.yaml")).toThrow(/feedback\.yaml line \d+/);
  });
});

describe("Function: createReceivers", () => {
  it("throws a ConfigError naming receivers[i].type for an unknown receiver type", () => {
    // Prepare
    const config = parseConfigYaml(`${base}receivers:\n  - { name: a, type: console }\n  - { name: b, type: pager }\n`);

    // Act & Assess
    expect(() => createReceivers(config)).toThrow(/receivers\[1\]\.type: receiver type "pager" is not supported/);
  });

  it("throws a ConfigError naming the option for an unknown console option", () => {
    // Prepare
    const config = parseConfigYaml(`${base}receivers:\n  - { name: a, type: console, options: { colour: true } }\n`);

    // Act & Assess
    expect(() => createReceivers(config)).toThrow(/receivers\[0\]\.options\.colour: unknown key/);
  });
});

describe("Function: loadConfig", () => {
  it("returns the embedded default when no file is given", () => {
    // Act
    const config = loadConfig();

    // Assess
    expect(config.cluster).toBe("local");
    expect(config.receivers.map((r) => r.type)).toEqual(["console"]);
  });

  it("accepts the shipped example config", () => {
    // Act
    const config = loadConfig(new URL("../../../feedback.example.yaml", import.meta.url).pathname);

    // Assess
    expect(config.watch.length).toBeGreaterThan(0);
    expect(readFileSync(new URL("../../../feedback.example.yaml", import.meta.url), "utf8")).toContain("#");
  });

  it("throws a ConfigError naming the file when it cannot be read", () => {
    // Act & Assess
    expect(() => loadConfig("does-not-exist.yaml")).toThrow(/cannot read does-not-exist\.yaml/);
  });
});
