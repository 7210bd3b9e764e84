import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SignatureFailure, signBody, verifySignature } from "../../../shared/envelope";

const SECRET = "s3cret-key";
const NOW = new Date("2025-06-01T12:00:00Z");
const TS = Math.floor(NOW.getTime() / 1000);
const BODY = JSON.stringify([{ v: 1, cluster: "dev", type: "ADDED" }]);

describe("Function: signBody", () => {
  it("returns sha256= and the hex HMAC-SHA256 of '<timestamp>.<body>' when given a secret", () => {
    // Prepare
    const expected = createHmac("sha256", SECRET).update(`${TS}.${BODY}`).digest("hex");

    // Act
    const signature = signBody(SECRET, TS, BODY);

    // Assess
    expect(signature).toBe(`sha256=${expected}`);
  });

  it("returns the same signature for the body as bytes and as text", () => {
    // Act
    const fromText = signBody(SECRET, TS, BODY);
    const fromBytes = signBody(SECRET, TS, Buffer.from(BODY, "utf8"));

    // Assess
    expect(fromBytes).toBe(fromText);
  });

  it("throws when the secret is empty", () => {
    // Act & Assess
    expect(() => signBody("", TS, BODY)).toThrow(/secret cannot be empty/);
  });
});

describe("Function: verifySignature", () => {
  it("returns valid when the body, timestamp and key match", () => {
    // Prepare
    const signature = signBody(SECRET, TS, BODY);

    // Act
    const verdict = verifySignature(SECRET, String(TS), BODY, signature, { now: NOW });

    // Assess
    expect(verdict).toEqual({ valid: true });
  });

  it("returns bad-signature when one byte of the body was changed", () => {
    // Prepare
    const signature = signBody(SECRET, TS, BODY);
    const tampered = BODY.replace("ADDED", "ADDEd");

    // Act
    const verdict = verifySignature(SECRET, String(TS), tampered, signature, { now: NOW });

    // Assess
    expect(verdict).toMatchObject({ valid: false, reason: SignatureFailure.BadSignature });
  });

  it("returns bad-signature when the timestamp was changed after signing", () => {
    // Prepare
    const signature = signBody(SECRET, TS, BODY);

    // Act
    const verdict = verifySignature(SECRET, String(TS + 1), BODY, signature, { now: NOW });

    // Assess
    expect(verdict).toMatchObject({ valid: false, reason: SignatureFailure.BadSignature });
  });

  it("returns bad-signature when signed with another key", () => {
    // Prepare
    const signature = signBody("other-key", TS, BODY);

    // Act
    const verdict = verifySignature(SECRET, String(TS), BODY, signature, { now: NOW });

    // Assess
    expect(verdict).toMatchObject({ valid: false, reason: SignatureFailure.BadSignature });
  });

  it.each([
    ["older than the window", TS - 301],
    ["ahead of the window", TS + 301],
  ])("returns stale-timestamp when the timestamp is %s", (_, timestamp) => {
    // Prepare
    const signature = signBody(SECRET, timestamp, BODY);

    // Act
    const verdict = verifySignature(SECRET, String(timestamp), BODY, signature, { now: NOW });

    // Assess
    expect(verdict).toMatchObject({ valid: false, reason: SignatureFailure.StaleTimestamp });
  });

  it("returns valid when the timestamp is exactly at the edge of the 300 s window", () => {
    // Prepare
    const signature = signBody(SECRET, TS - 300, BODY);

    // Act
    const verdict = verifySignature(SECRET, String(TS - 300), BODY, signature, { now: NOW });

    // Assess
    expect(verdict).toEqual({ valid: true });
  });

  it.each([
    ["the timestamp is missing", undefined, "sha256=00", SignatureFailure.MissingSignature],
    ["the signature is missing", String(TS), undefined, SignatureFailure.MissingSignature],
    ["the timestamp is not unix seconds", "2025-06-01T12:00:00Z", "sha256=00", SignatureFailure.StaleTimestamp],
    ["the signature has no sha256= prefix", String(TS), "a".repeat(64), SignatureFailure.BadSignature],
    ["the signature is too short", String(TS), "sha256=abcd", SignatureFailure.BadSignature],
  ])("returns a refusal when %s", (_, timestamp, signature, reason) => {
    // Act
    const verdict = verifySignature(SECRET, timestamp, BODY, signature, { now: NOW });

    // Assess
    expect(verdict).toMatchObject({ valid: false, reason });
  });

  it("returns valid when the body was signed with any of the keys being rotated", () => {
    // Prepare
    const signature = signBody("new-key", TS, BODY);

    // Act
    const verdict = verifySignature(["old-key", "new-key"], String(TS), BODY, signature, { now: NOW });

    // Assess
    expect(verdict).toEqual({ valid: true });
  });
});
