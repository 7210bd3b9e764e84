import { describe, expect, it } from "vitest";
import { Disposition } from "../../../shared/errors";
import { classifyHttp, headerOf, type HttpAnswer } from "../../../shared/http";

const NOW = Date.parse("2024-05-01T10:00:00Z");
const RESET_IN_30 = String(NOW / 1000 + 30);

describe("Function: classifyHttp", () => {
  it.each<{ name: string; answer: HttpAnswer; disposition: Disposition; rateLimited: boolean; waitMs: number | undefined }>([
    { name: "429 with Retry-After in seconds", answer: { status: 429, headers: { "Retry-After": "12" }, message: "" }, disposition: Disposition.Retry, rateLimited: true, waitMs: 12_000 },
    { name: "429 with Retry-After as an HTTP date", answer: { status: 429, headers: { "retry-after": "Wed, 01 May 2024 10:01:30 GMT" }, message: "" }, disposition: Disposition.Retry, rateLimited: true, waitMs: 90_000 },
    { name: "429 with a fractional Retry-After (Microsoft Graph)", answer: { status: 429, headers: { "retry-after": "2.128" }, message: "" }, disposition: Disposition.Retry, rateLimited: true, waitMs: 2_128 },
    { name: "429 with Retry-After 0, held to a second", answer: { status: 429, headers: { "retry-after": "0" }, message: "" }, disposition: Disposition.Retry, rateLimited: true, waitMs: 1_000 },
    { name: "429 with a wait only its body named", answer: { status: 429, message: "", retryAfterSeconds: 4 }, disposition: Disposition.Retry, rateLimited: true, waitMs: 4_000 },
    { name: "429 whose header wins over its body", answer: { status: 429, headers: { "retry-after": "6" }, message: "", retryAfterSeconds: 4 }, disposition: Disposition.Retry, rateLimited: true, waitMs: 6_000 },
    { name: "429 naming no time", answer: { status: 429, message: "slow down" }, disposition: Disposition.Retry, rateLimited: true, waitMs: undefined },
    { name: "GitHub 403 with x-ratelimit-remaining 0 and a reset", answer: { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": RESET_IN_30 }, message: "API rate limit exceeded" }, disposition: Disposition.Retry, rateLimited: true, waitMs: 30_000 },
    { name: "GitHub 403 with a reset already past", answer: { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 - 5) }, message: "" }, disposition: Disposition.Retry, rateLimited: true, waitMs: 1_000 },
    { name: "GitHub secondary limit: 403 with Retry-After", answer: { status: 403, headers: { "retry-after": "61" }, message: "You have exceeded a secondary rate limit" }, disposition: Disposition.Retry, rateLimited: true, waitMs: 61_000 },
    { name: "GitHub secondary limit named only in the message", answer: { status: 403, headers: { "x-ratelimit-remaining": "4999", "x-ratelimit-reset": RESET_IN_30 }, message: "You have exceeded a secondary rate limit" }, disposition: Disposition.Retry, rateLimited: true, waitMs: undefined },
    { name: "GitLab 429 with RateLimit-Reset", answer: { status: 429, headers: { "RateLimit-Remaining": "0", "RateLimit-Reset": String(NOW / 1000 + 12) }, message: "Retry later" }, disposition: Disposition.Retry, rateLimited: true, waitMs: 12_000 },
    { name: "503 with Retry-After", answer: { status: 503, headers: new Headers({ "Retry-After": "3" }), message: "" }, disposition: Disposition.Retry, rateLimited: false, waitMs: 3_000 },
    { name: "502 (its Retry-After is not a promise)", answer: { status: 502, headers: { "retry-after": "5" }, message: "Bad Gateway" }, disposition: Disposition.Retry, rateLimited: false, waitMs: undefined },
    { name: "500", answer: { status: 500, message: "Server Error" }, disposition: Disposition.Retry, rateLimited: false, waitMs: undefined },
    { name: "408", answer: { status: 408, message: "Request Timeout" }, disposition: Disposition.Retry, rateLimited: false, waitMs: undefined },
    { name: "no answer (network failure)", answer: { message: "connect ECONNREFUSED 127.0.0.1:1" }, disposition: Disposition.Retry, rateLimited: false, waitMs: undefined },
    { name: "401", answer: { status: 401, message: "Bad credentials" }, disposition: Disposition.Permanent, rateLimited: false, waitMs: undefined },
    { name: "403 of a limit that is not used up", answer: { status: 403, headers: { "x-ratelimit-remaining": "12" }, message: "Resource not accessible by integration" }, disposition: Disposition.Permanent, rateLimited: false, waitMs: undefined },
    { name: "404", answer: { status: 404, headers: { "retry-after": "5" }, message: "Not Found" }, disposition: Disposition.Permanent, rateLimited: false, waitMs: undefined },
    { name: "422", answer: { status: 422, message: "Validation Failed" }, disposition: Disposition.Permanent, rateLimited: false, waitMs: undefined },
    { name: "a redirect", answer: { status: 302, message: "Found" }, disposition: Disposition.Permanent, rateLimited: false, waitMs: undefined },
  ])("returns $disposition for $name", ({ answer, disposition, rateLimited, waitMs }) => {
    // Act
    const classified = classifyHttp(answer, NOW);

    // Assess
    expect(classified.disposition).toBe(disposition);
    expect(classified.rateLimited).toBe(rateLimited);
    expect(classified.notBefore === undefined ? undefined : classified.notBefore - NOW).toBe(waitMs);
  });
});

describe("Function: headerOf", () => {
  it.each([
    { name: "fetch Headers", headers: new Headers({ "X-RateLimit-Reset": "9" }), value: "9" },
    { name: "an object in another case", headers: { "X-RateLimit-Reset": "9" }, value: "9" },
    { name: "a number (Octokit)", headers: { "x-ratelimit-reset": 9 }, value: "9" },
    { name: "a value that is not text", headers: { "x-ratelimit-reset": ["9"] }, value: undefined },
    { name: "no headers", headers: undefined, value: undefined },
  ])("returns $value from $name", ({ headers, value }) => {
    // Act & Assess
    expect(headerOf(headers, "x-ratelimit-reset")).toBe(value);
  });
});
