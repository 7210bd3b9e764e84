import { describe, expect, it } from "vitest";
import { compileSelector, parseLabelSelector } from "../../../shared/config/label-selector";

describe("Function: parseLabelSelector", () => {
  it.each([
    ["app=shop", { app: "shop" }, true],
    ["app==shop,tier!=db", { app: "shop", tier: "web" }, true],
    ["tekton.dev/pipeline in (release, hotfix)", { "tekton.dev/pipeline": "hotfix" }, true],
    ["env notin (prod)", { env: "prod" }, false],
    ["ci.example.com/notify", { "ci.example.com/notify": "true" }, true],
    ["!skip", { skip: "1" }, false],
    ["", {}, true],
  ])("matches %s against %j as %s", (selector, labels, expected) => {
    // Act & Assess
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });

  it.each(["!!!", "=x", "(", "app in prod", "a b", "app=(x)"])("throws for the malformed selector %s", (selector) => {
    // Act & Assess
    expect(() => parseLabelSelector(selector)).toThrow(/invalid label selector term/);
  });
});

describe("Function: compileSelector", () => {
  const run = { kind: "PipelineRun", namespace: "ci", labels: { app: "shop" } };

  it.each([
    ["no constraint", { namespaces: [], kinds: [] }, true],
    ["its namespace", { namespaces: ["ci"], kinds: [] }, true],
    ["another namespace", { namespaces: ["prod"], kinds: [] }, false],
    ["its kind and labels", { namespaces: [], kinds: ["PipelineRun"], labelSelector: "app=shop" }, true],
    ["another kind", { namespaces: [], kinds: ["Job"] }, false],
    ["other labels", { namespaces: ["ci"], kinds: [], labelSelector: "app!=shop" }, false],
  ])("selects a run by %s as %s", (_case, selector, expected) => {
    // Act
    const selects = compileSelector(selector);

    // Assess
    expect(selects(run)).toBe(expected);
  });
});
