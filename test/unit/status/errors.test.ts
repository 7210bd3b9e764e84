import { describe, expect, it } from "vitest";
import { backsOff, combineRetries, CombinedRetryError, RetryAfterError, retryAfterOf } from "../../../shared/status";

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

describe("Function: combineRetries", () => {
  it("returns the error itself when one failure is retried", () => {
    // Prepare
    const error = new RetryAfterError("rate limited", 8);

    // Act & Assess
    expect(combineRetries([error])).toBe(error);
    expect(combineRetries([])).toBeUndefined();
  });

  it("returns a CombinedRetryError with the longest hint of its failures, whatever their order", () => {
    // Prepare
    const webhook = new Error("webhook 127.0.0.1 answered 500");
    const github = new Error("github: rate limited", { cause: new RetryAfterError("403", 8) });

    // Act
    const combined = combineRetries([webhook, github, new RetryAfterError("slack", 3)]);

    // Assess
    expect(combined).toBeInstanceOf(CombinedRetryError);
    expect(retryAfterOf(combined)).toBe(8);
    expect((combined as CombinedRetryError).errors).toHaveLength(3);
    expect(combined!.message).toBe("webhook 127.0.0.1 answered 500; github: rate limited; slack");
  });

  it.each([
    { name: "a failure without a hint", errors: [new Error("500"), new RetryAfterError("403", 8)], backs: true },
    { name: "only failures with hints", errors: [new RetryAfterError("a", 1), new RetryAfterError("b", 8)], backs: false },
    { name: "only failures without hints", errors: [new Error("a"), new Error("b")], backs: true },
  ])("returns backsOff $backs when it combines $name", ({ errors, backs }) => {
    // Act
    const combined = combineRetries(errors);

    // Assess
    expect(backsOff(combined)).toBe(backs);
  });
});
