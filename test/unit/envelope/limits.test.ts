import { describe, expect, it } from "vitest";
import { clusterNameProblem, describePath, ENVELOPE_LIMITS, findTooDeep, sqsIdProblem } from "../../../shared/envelope";

/** `{ key: { key: … } }`, `levels` objects deep, built without recursion. */
const nested = (levels: number, key = "a"): Record<string, unknown> => {
  const root: Record<string, unknown> = {};
  let current = root;
  for (let i = 1; i < levels; i++) {
    const next: Record<string, unknown> = {};
    current[key] = next;
    current = next;
  }
  return root;
};

describe("Function: findTooDeep", () => {
  it("returns undefined when a document is exactly as deep as the limit", () => {
    // Act
    const problem = findTooDeep({ object: nested(ENVELOPE_LIMITS.maxDepth - 1) });

    // Assess
    expect(problem).toBeUndefined();
  });

  it("returns the path of the first level past the limit, cut short, when a document is one level deeper", () => {
    // Act
    const problem = findTooDeep({ object: { spec: nested(ENVELOPE_LIMITS.maxDepth - 1) } });

    // Assess
    expect(problem).toEqual({
      path: "object.spec.a.a.a.a.a.a…",
      segments: ["object", "spec", ...Array<string>(62).fill("a")],
      reason: "nested deeper than 64 levels",
    });
  });

  it("returns a problem instead of overflowing the stack when a document is 100,000 levels deep", () => {
    // Prepare
    const body = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;

    // Act
    const problem = findTooDeep(JSON.parse(body));

    // Assess
    expect(problem).toMatchObject({ path: "[0][0][0][0][0][0][0][0]…", reason: "nested deeper than 64 levels" });
    expect(problem?.segments).toHaveLength(64);
  });

  it("names the branch that is too deep when its siblings are shallow", () => {
    // Act
    const problem = findTooDeep({ shallow: [1, { x: 2 }], status: { conditions: [nested(3, "b"), nested(70, "deep")] } }, 10);

    // Assess
    expect(problem?.path).toBe("status.conditions[1].deep.deep.deep.deep.deep…");
  });

  it("returns undefined for scalars and null", () => {
    // Assess
    expect([findTooDeep("x"), findTooDeep(1), findTooDeep(null), findTooDeep(undefined)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("Function: describePath", () => {
  it("shortens keys longer than 64 characters and keeps short paths whole", () => {
    // Assess
    expect(describePath(["object", "x".repeat(100), 2])).toBe(`object.${"x".repeat(64)}…[2]`);
    expect(describePath(["object", "spec"])).toBe("object.spec");
  });
});

describe("Function: sqsIdProblem", () => {
  it.each([
    ["a cluster/uid pair", "prod-eu/9b1d0f3e-52a4-4c6e-a0f5-2c8f7e1d4b61"],
    ["every punctuation character SQS allows", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"],
    ["exactly 128 characters", "x".repeat(128)],
  ])("returns undefined for %s", (_case, id) => {
    // Assess
    expect(sqsIdProblem(id)).toBeUndefined();
  });

  it.each([
    ["an empty id", "", "is empty"],
    ["a space", "prod/a b", "may hold only letters, digits and ASCII punctuation"],
    ["a non-ASCII letter", "prod/ü", "may hold only letters, digits and ASCII punctuation"],
    ["a newline", "prod/a\nb", "may hold only letters, digits and ASCII punctuation"],
    ["129 characters", "x".repeat(129), "is 129 characters, more than the 128 SQS allows"],
  ])("names the rule broken by %s", (_case, id, reason) => {
    // Assess
    expect(sqsIdProblem(id)).toContain(reason);
  });
});

describe("Function: clusterNameProblem", () => {
  it("returns undefined for a name of 63 characters and names the rule for 64, a blank or a space", () => {
    // Assess
    expect(clusterNameProblem("c".repeat(63))).toBeUndefined();
    expect(clusterNameProblem("c".repeat(64))).toBe("is 64 characters, more than 63");
    expect(clusterNameProblem("")).toBe("is empty");
    expect(clusterNameProblem("prod eu")).toContain("MessageGroupId");
  });
});
