import { describe, expect, it } from "vitest";
import {
  PermanentScmError,
  RateLimitedError,
  rateLimitDelay,
  ScmError,
  toScmError,
  TransientScmError,
  type FailureContext,
} from "../../../shared/scm";
import { Disposition, dispositionOf } from "../../../shared/errors";

const NOW = 1_700_000_000_000;
const CONTEXT: FailureContext = {
  provider: "github",
  repo: "acme/shop",
  action: 'writing check run "ci/build" on abc1234',
  permission: 'the GitHub App needs "Checks: read and write"',
  now: () => NOW,
};

describe("Function: toScmError", () => {
  it("returns a RateLimitedError with the delay to the reset when GitHub answers 403 with x-ratelimit-remaining 0", () => {
    // Prepare
    const headers = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 30) };

    // Act
    const error = toScmError({ status: 403, headers, message: "API rate limit exceeded" }, CONTEXT);

    // Assess
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ disposition: Disposition.Retry, notBefore: NOW + 30_000, retryAfterSeconds: 30, status: 403 });
  });

  it("returns a RateLimitedError with retry-after when a secondary limit answers 403", () => {
    // Act
    const error = toScmError({ status: 403, headers: { "retry-after": "61" }, message: "secondary rate limit" }, CONTEXT);

    // Assess
    expect(error).toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 61 });
  });

  it("returns a RateLimitedError of one minute when a secondary limit names no delay", () => {
    // Act
    const error = toScmError({ status: 403, headers: {}, message: "You have exceeded a secondary rate limit" }, CONTEXT);

    // Assess
    expect(error).toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 60 });
  });

  it("returns a RateLimitedError with the wait to a retry-after given as an HTTP date", () => {
    // Prepare: 90 seconds after NOW, in the IMF-fixdate form of RFC 9110.
    const at = new Date(NOW + 90_000).toUTCString();

    // Act
    const error = toScmError({ status: 403, headers: { "retry-after": at }, message: "secondary rate limit" }, CONTEXT);

    // Assess
    expect(error).toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 90 });
  });

  it("returns a RateLimitedError of one minute for a secondary limit whose reset belongs to a primary limit not used up", () => {
    // Prepare: GitHub sends the primary limit's reset on every answer, an hour ahead here.
    const headers = { "x-ratelimit-remaining": "4999", "x-ratelimit-reset": String(NOW / 1000 + 3600) };

    // Act
    const error = toScmError({ status: 403, headers, message: "You have exceeded a secondary rate limit" }, CONTEXT);

    // Assess
    expect(error).toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 60 });
  });

  it("returns a RateLimitedError from GitLab's RateLimit-Reset when a 429 has no retry-after", () => {
    // Act
    const error = toScmError({ status: 429, headers: { "RateLimit-Reset": String(NOW / 1000 + 12) }, message: "Retry later" }, CONTEXT);

    // Assess
    expect(error).toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 12 });
  });

  it.each([500, 502, 503, 408])("returns a TransientScmError when the SCM answers %i", (status) => {
    // Act
    const error = toScmError({ status, message: "Server Error" }, CONTEXT);

    // Assess
    expect(error).toBeInstanceOf(TransientScmError);
    expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
  });

  it("returns a TransientScmError that waits for a 503's Retry-After", () => {
    // Act
    const error = toScmError({ status: 503, headers: { "retry-after": "20" }, message: "Service Unavailable" }, CONTEXT);

    // Assess
    expect(error).toBeInstanceOf(TransientScmError);
    expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, notBefore: NOW + 20_000, backsOff: false });
  });

  it("returns a TransientScmError when no response arrived", () => {
    // Act
    const error = toScmError({ message: "connect ECONNREFUSED 127.0.0.1:1" }, CONTEXT);

    // Assess
    expect(error).toBeInstanceOf(TransientScmError);
    expect(error.message).toContain("no response");
  });

  it.each([401, 403, 404, 422])("returns a PermanentScmError naming the repository and permission when the SCM answers %i", (status) => {
    // Act
    const error = toScmError({ status, message: "Refused" }, CONTEXT);

    // Assess
    expect(error).toBeInstanceOf(PermanentScmError);
    expect(error.disposition).toBe(Disposition.Permanent);
    expect(error.message).toContain("acme/shop");
    if (status !== 422) expect(error.message).toContain('"Checks: read and write"');
  });
});

describe("Function: rateLimitDelay", () => {
  it("returns undefined for a 403 that is not a rate limit", () => {
    // Act & Assess
    expect(rateLimitDelay(403, { "x-ratelimit-remaining": "12" }, "Resource not accessible by integration", NOW)).toBeUndefined();
  });

  it("returns at least one second when the reset is already past", () => {
    // Act & Assess
    expect(rateLimitDelay(429, { "x-ratelimit-reset": String(NOW / 1000 - 5) }, "", NOW)).toBe(1);
  });
});

describe("Class: RateLimitedError", () => {
  it("returns a retry at the time it names from dispositionOf, also when wrapped as a cause", () => {
    // Prepare
    const error = new RateLimitedError("slow down", 30, { now: NOW });
    const wrapped = new Error("receiver failed", { cause: error });

    // Act & Assess
    expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, notBefore: NOW + 30_000, backsOff: false });
    expect(dispositionOf(wrapped)).toEqual(dispositionOf(error));
    expect(error.retryAfterSeconds).toBe(30);
    expect(error).toBeInstanceOf(ScmError);
  });
});
