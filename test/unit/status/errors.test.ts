import { describe, expect, it } from "vitest";
import { RetryAfterError, retryAfterOf } from "../../../shared/status";

describe("Class: RetryAfterError", () => {
  it("returns a named error carrying the hint and its cause", () => {
    // Prepare
    const cause = new Error("403 secondary rate limit");

    // Act
    const error = new RetryAfterError("GitHub asked to wait", 60, { cause });

    // Assess
    expect(error).toMatchObject({ name: "RetryAfterError", message: "GitHub asked to wait", retryAfterSeconds: 60, cause });
  });
});

describe("Function: retryAfterOf", () => {
  const nested = (depth: number, hint: number): Error => {
    let error: Error = new RetryAfterError("rate limited", hint);
    for (let i = 0; i < depth; i++) error = new Error(`wrapper ${i}`, { cause: error });
    return error;
  };

  it.each([
    { name: "a RetryAfterError", error: new RetryAfterError("x", 12), hint: 12 },
    { name: "a RetryAfterError one cause down", error: nested(1, 7), hint: 7 },
    { name: "a RetryAfterError four causes down", error: nested(4, 9), hint: 9 },
    { name: "an error that only has retryAfterSeconds", error: Object.assign(new Error("x"), { retryAfterSeconds: 3 }), hint: 3 },
    { name: "a RetryAfterError too deep to look for", error: nested(5, 9), hint: undefined },
    { name: "a negative hint", error: new RetryAfterError("x", -1), hint: undefined },
    { name: "a plain error", error: new Error("x"), hint: undefined },
    { name: "a string", error: "rate limited", hint: undefined },
    { name: "undefined", error: undefined, hint: undefined },
  ])("returns $hint for $name", ({ error, hint }) => {
    // Act
    const found = retryAfterOf(error);

    // Assess
    expect(found).toBe(hint);
  });
});
