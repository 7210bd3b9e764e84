import { describe, expect, it } from "vitest";
import { parseLabelSelector } from "../../../shared/pipeline/selector";

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
