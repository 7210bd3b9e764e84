import { describe, expect, it } from "vitest";
import {
  combineDispositions,
  CombinedRetryError,
  combineRetries,
  Disposition,
  dispositionOf,
  FeedbackError,
  RetryAfterError,
  retryAfterOf,
  type FailureDisposition,
} from "../../../shared/errors";

const NOW = Date.parse("2024-05-01T10:00:00Z");

const retryAt = (message: string, seconds: number) => new RetryAfterError(message, seconds, { now: NOW });
const refused = (message: string) => new FeedbackError(message, { disposition: Disposition.Permanent });

describe("Class: FeedbackError", () => {
  it("returns the wait its notBefore stands for as retryAfterSeconds, counted from when it was made", () => {
    // Act
    const error = new FeedbackError("slow down", { disposition: Disposition.Retry, notBefore: NOW + 2_200, now: NOW });

    // Assess
    expect(error).toMatchObject({ disposition: Disposition.Retry, notBefore: NOW + 2_200, retryAfterSeconds: 3, backsOff: false });
  });

  it("returns no retryAfterSeconds and backs off when it names no time", () => {
    // Act
    const error = new FeedbackError("outage", { disposition: Disposition.Retry });

    // Assess
    expect(error.retryAfterSeconds).toBeUndefined();
    expect(error.backsOff).toBe(true);
  });
});

describe("Class: RetryAfterError", () => {
  it("returns a retry whose notBefore is its wait after now, keeping its cause", () => {
    // Prepare
    const cause = new Error("429");

    // Act
    const error = new RetryAfterError("GitHub asked to wait", 60, { cause, now: NOW });

    // Assess
    expect(error).toBeInstanceOf(FeedbackError);
    expect(error).toMatchObject({ name: "RetryAfterError", disposition: Disposition.Retry, notBefore: NOW + 60_000, retryAfterSeconds: 60, cause });
  });
});

describe("Function: dispositionOf", () => {
  const nested = (depth: number, error: Error): Error => {
    let wrapped = error;
    for (let i = 0; i < depth; i++) wrapped = new Error(`wrap ${i}`, { cause: wrapped });
    return wrapped;
  };

  it.each<{ name: string; error: unknown; expected: FailureDisposition }>([
    { name: "no error", error: undefined, expected: { disposition: Disposition.Retry, backsOff: true } },
    { name: "a TypeError", error: new TypeError("x is undefined"), expected: { disposition: Disposition.Retry, backsOff: true } },
    { name: "a thrown string", error: "boom", expected: { disposition: Disposition.Retry, backsOff: true } },
    { name: "a retry with a time", error: retryAt("429", 12), expected: { disposition: Disposition.Retry, notBefore: NOW + 12_000, backsOff: false } },
    { name: "a retry one cause down", error: nested(1, retryAt("429", 7)), expected: { disposition: Disposition.Retry, notBefore: NOW + 7_000, backsOff: false } },
    { name: "a refusal four causes down", error: nested(4, refused("401")), expected: { disposition: Disposition.Permanent, backsOff: false } },
    { name: "a refusal too deep to look for", error: nested(5, refused("401")), expected: { disposition: Disposition.Retry, backsOff: true } },
    { name: "invalid input", error: new FeedbackError("spec.sha: required", { disposition: Disposition.InvalidInput }), expected: { disposition: Disposition.InvalidInput, backsOff: false } },
    { name: "an error of ours wrapping another of ours", error: new FeedbackError("cannot start", { disposition: Disposition.Retry, cause: refused("401") }), expected: { disposition: Disposition.Retry, backsOff: true } },
  ])("returns $expected.disposition for $name", ({ error, expected }) => {
    // Act & Assess
    expect(dispositionOf(error)).toEqual(expected);
  });
});

describe("Function: retryAfterOf", () => {
  it.each([
    { name: "a retry that named 30 s", error: retryAt("429", 30), seconds: 30 },
    { name: "a wait wrapped as a cause", error: new Error("receiver failed", { cause: retryAt("429", 12) }), seconds: 12 },
    { name: "the longest of combined waits", error: new CombinedRetryError([retryAt("a", 3), retryAt("b", 9)]), seconds: 9 },
    { name: "a retry that named no time", error: new Error("500"), seconds: undefined },
  ])("returns $seconds for $name", ({ error, seconds }) => {
    // Act & Assess
    expect(retryAfterOf(error)).toBe(seconds);
  });
});

describe("Function: combineDispositions", () => {
  const retry = (notBefore?: number): FailureDisposition => ({ disposition: Disposition.Retry, ...(notBefore === undefined ? {} : { notBefore }), backsOff: notBefore === undefined });
  const permanent: FailureDisposition = { disposition: Disposition.Permanent, backsOff: false };
  const invalid: FailureDisposition = { disposition: Disposition.InvalidInput, backsOff: false };

  it.each<{ name: string; parts: FailureDisposition[]; expected: FailureDisposition }>([
    { name: "the latest time, whatever the order", parts: [retry(NOW + 8_000), retry(NOW + 30_000), retry(NOW + 3_000)], expected: { disposition: Disposition.Retry, notBefore: NOW + 30_000, backsOff: false } },
    { name: "a time and the backoff when one named none", parts: [retry(), retry(NOW + 8_000)], expected: { disposition: Disposition.Retry, notBefore: NOW + 8_000, backsOff: true } },
    { name: "a retry beside a refusal", parts: [permanent, retry()], expected: { disposition: Disposition.Retry, backsOff: true } },
    { name: "refusals only", parts: [permanent, permanent], expected: { disposition: Disposition.Permanent, backsOff: false } },
    { name: "a refusal and invalid input", parts: [permanent, invalid], expected: { disposition: Disposition.InvalidInput, backsOff: false } },
  ])("returns $expected.disposition for $name", ({ parts, expected }) => {
    // Act & Assess
    expect(combineDispositions(parts)).toEqual(expected);
  });
});

describe("Function: combineRetries", () => {
  it("returns the error itself when there is one, and nothing for none", () => {
    // Prepare
    const error = retryAt("rate limited", 8);

    // Act & Assess
    expect(combineRetries([error])).toBe(error);
    expect(combineRetries([])).toBeUndefined();
  });

  it("returns a CombinedRetryError with the combined disposition of its failures", () => {
    // Prepare: a webhook that failed without a hint, an SCM wrapped by a library, a chat receiver.
    const webhook = new Error("webhook 500");
    const github = new Error("github: rate limited", { cause: retryAt("403", 8) });

    // Act
    const combined = combineRetries([webhook, github, retryAt("slack", 3)]);

    // Assess
    expect(combined).toBeInstanceOf(CombinedRetryError);
    expect((combined as CombinedRetryError).errors).toHaveLength(3);
    expect(combined!.message).toBe("webhook 500; github: rate limited; slack");
    expect(dispositionOf(combined)).toEqual({ disposition: Disposition.Retry, notBefore: NOW + 8_000, backsOff: true });
  });
});
