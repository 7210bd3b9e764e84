import { describe, expect, it } from "vitest";
import { parseConfig, parseConfigYaml } from "../../../shared/config";
import { rejectionOf } from "./rejection";

const watching = (...entries: string[]) => `cluster: a\nwatch:\n${entries.map((entry) => `  - ${entry}\n`).join("")}`;

const RUNS = "group: tekton.dev, resource: pipelineruns";

describe("Function: parseConfigYaml", () => {
  describe("Duplicate watch entries", () => {
    it.each([
      ["the same entry twice", [`{ ${RUNS}, version: v1 }`, `{ ${RUNS}, version: v1 }`], "watch[1]", "duplicate of watch[0]: both watch pipelineruns.tekton.dev in all namespaces"],
      ["the same resource at another version", [`{ ${RUNS}, version: v1 }`, `{ ${RUNS}, version: v1beta1 }`], "watch[1]", "duplicate of watch[0]: both watch pipelineruns.tekton.dev in all namespaces (versions v1 and v1beta1 serve the same objects)"],
      ["a namespace inside an earlier all-namespaces entry", [`{ ${RUNS}, version: v1 }`, `{ ${RUNS}, version: v1, namespaces: [ci] }`], "watch[1]", "duplicate of watch[0]: both watch pipelineruns.tekton.dev in namespace ci"],
      ["all namespaces after an entry for one", [`{ ${RUNS}, version: v1, namespaces: [ci] }`, `{ ${RUNS}, version: v1 }`], "watch[1]", "duplicate of watch[0]: both watch pipelineruns.tekton.dev in namespace ci"],
      ["namespace lists that share one", [`{ ${RUNS}, version: v1, namespaces: [ci, release] }`, `{ ${RUNS}, version: v1, namespaces: [qa, release] }`], "watch[1]", "duplicate of watch[0]: both watch pipelineruns.tekton.dev in namespace release"],
      ["the core group", ["{ version: v1, resource: pods }", "{ group: '', version: v1, resource: pods }"], "watch[1]", "duplicate of watch[0]: both watch pods in all namespaces"],
      ["the same label selector written differently", ["{ version: v1, resource: jobs, labelSelector: 'a=b,c in (d)' }", "{ version: v1, resource: jobs, labelSelector: 'a = b, c in (d)' }"], "watch[1]", "duplicate of watch[0]: both watch jobs in all namespaces"],
      ["an entry without a selector after one with", ["{ version: v1, resource: jobs, labelSelector: a=b }", "{ version: v1, resource: jobs }"], "watch[1]", "duplicate of watch[0]: both watch jobs in all namespaces; an entry without a labelSelector covers every selector"],
      ["an entry with a selector after one without", ["{ version: v1, resource: jobs, namespaces: [ci] }", "{ version: v1, resource: jobs, namespaces: [ci], labelSelector: a=b }"], "watch[1]", "duplicate of watch[0]: both watch jobs in namespace ci; an entry without a labelSelector covers every selector"],
      ["a duplicate of the earliest of several", ["{ version: v1, resource: jobs, namespaces: [a] }", "{ version: v1, resource: pods }", "{ version: v1, resource: jobs, namespaces: [b] }", "{ version: v1, resource: jobs }"], "watch[3]", "duplicate of watch[0]: both watch jobs in namespace a"],
      ["a selector matching an earlier all-namespaces entry's", ["{ version: v1, resource: jobs, namespaces: [a], labelSelector: x=1 }", "{ version: v1, resource: jobs, labelSelector: y=1 }", "{ version: v1, resource: jobs, labelSelector: x=1 }"], "watch[2]", "duplicate of watch[0]: both watch jobs in namespace a"],
    ])("throws a ConfigError naming both entries for %s", (_case, entries, path, reason) => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(watching(...entries)));

      // Assess
      expect(error.path).toBe(path);
      expect(error.reason).toBe(reason);
    });

    it("throws a ConfigError naming a namespace listed twice in one entry", () => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(watching("{ version: v1, resource: jobs, namespaces: [ci, qa, ci] }")));

      // Assess
      expect(error.path).toBe("watch[0].namespaces[2]");
      expect(error.reason).toBe('duplicate of namespaces[0] ("ci")');
    });

    it.each([
      ["disjoint namespaces", [`{ ${RUNS}, version: v1, namespaces: [ci] }`, `{ ${RUNS}, version: v1, namespaces: [release] }`]],
      ["two resources of one group", [`{ ${RUNS}, version: v1 }`, "{ group: tekton.dev, version: v1, resource: taskruns }"]],
      ["one resource name in two groups", ["{ group: argoproj.io, version: v1alpha1, resource: workflows }", "{ group: example.com, version: v1, resource: workflows }"]],
      ["two different label selectors", ["{ version: v1, resource: jobs, labelSelector: team=a }", "{ version: v1, resource: jobs, labelSelector: tier=ci }"]],
    ])("accepts %s", (_case, entries) => {
      // Act
      const config = parseConfigYaml(watching(...entries));

      // Assess
      expect(config.watch).toHaveLength(entries.length);
    });
  });
});

describe("Function: parseConfig", () => {
  it("throws a ConfigError naming both entries for a duplicate watch built in code", () => {
    // Prepare
    const config = { cluster: "a", watch: [{ version: "v1", resource: "jobs" }, { group: "batch", version: "v1", resource: "jobs" }, { version: "v1", resource: "jobs" }] };

    // Act
    const error = rejectionOf(() => parseConfig(config));

    // Assess
    expect(error.path).toBe("watch[2]");
    expect(error.reason).toBe("duplicate of watch[0]: both watch jobs in all namespaces");
  });

  it("accepts a generated list of thousands of entries in distinct namespaces", () => {
    // Prepare
    const watch = Array.from({ length: 5_000 }, (_, i) => ({ version: "v1", resource: "jobs", namespaces: [`ns-${i}`] }));

    // Act & Assess
    expect(parseConfig({ cluster: "a", watch }).watch).toHaveLength(5_000);
  });
});
