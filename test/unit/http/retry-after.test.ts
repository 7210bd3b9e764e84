import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryAfterMs } from "../../../shared/http";

const NOW = Date.parse("2024-05-01T10:00:00Z");

describe("Function: parseRetryAfter", () => {
  it.each([
    { value: "30", expected: 30 },
    { value: " 0 ", expected: 0 },
    { value: "2.128", expected: 3 },
    { value: "Wed, 01 May 2024 10:01:30 GMT", expected: 90 },
    { value: "Wednesday, 01-May-24 10:00:08 GMT", expected: 8 },
    { value: "Wed, 01 May 2024 09:00:00 GMT", expected: 0 },
    { value: "soon", expected: undefined },
    { value: "-5", expected: undefined },
    { value: "2030", expected: 2030 },
    { value: "1e3", expected: undefined },
    { value: "", expected: undefined },
    { value: null, expected: undefined },
    { value: undefined, expected: undefined },
  ])("returns $expected for $value", ({ value, expected }) => {
    // Act & Assess
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe("Function: retryAfterMs", () => {
  it.each([
    { value: "3", expected: 3_000 },
    { value: "0.5", expected: 500 },
    { value: "Wed, 01 May 2024 10:00:01 GMT", expected: 1_000 },
    { value: "Tue, 30 Apr 2024 10:00:00 GMT", expected: 0 },
    { value: "later", expected: undefined },
  ])("returns $expected ms for $value", ({ value, expected }) => {
    // Act & Assess
    expect(retryAfterMs(value, NOW)).toBe(expected);
  });
});
