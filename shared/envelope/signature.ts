import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The webhook contract between the relay's `webhook` sink and the ingest
 * function, shared so both sides sign exactly the same bytes:
 *
 *   X-Feedback-Timestamp: <unix seconds>
 *   X-Feedback-Signature-256: sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">
 *
 * The timestamp is inside the MAC, so a captured request cannot be replayed
 * with a fresh timestamp, and the receiver refuses timestamps outside a
 * window, so it cannot be replayed late either (GitHub and Stripe sign
 * webhooks the same way).
 */
export const SignatureHeader = {
  Timestamp: "X-Feedback-Timestamp",
  Signature: "X-Feedback-Signature-256",
} as const;

/** How far a timestamp may be from the receiver's clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const PREFIX = "sha256=";
const HEX_DIGEST = /^[0-9a-f]{64}$/;

export const SignatureFailure = {
  MissingSignature: "missing-signature",
  BadSignature: "bad-signature",
  StaleTimestamp: "stale-timestamp",
} as const;
export type SignatureFailure = (typeof SignatureFailure)[keyof typeof SignatureFailure];

export type SignatureVerdict = { valid: true } | { valid: false; reason: SignatureFailure; message: string };

export interface VerifyOptions {
  /** The receiver's clock; defaults to now. */
  now?: Date;
  toleranceSeconds?: number;
}

const digest = (secret: string, timestamp: string, body: string | Uint8Array): Buffer =>
  createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();

/** `sha256=<hex>` for the raw body bytes, exactly as they go on the wire. */
export const signBody = (secret: string, timestamp: number, body: string | Uint8Array): string => {
  if (!secret) throw new Error("signBody: the secret cannot be empty");
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error("signBody: timestamp must be unix seconds");
  return `${PREFIX}${digest(secret, String(timestamp), body).toString("hex")}`;
};

const fail = (reason: SignatureFailure, message: string): SignatureVerdict => ({ valid: false, reason, message });

/**
 * Checks a request's timestamp and signature against the raw body. Several
 * secrets may be given so a key can be rotated without downtime. The
 * comparison is constant-time; the verdict says why a request was refused
 * without revealing anything about the expected signature.
 */
export const verifySignature = (
  secrets: string | readonly string[],
  timestamp: string | undefined,
  body: string | Uint8Array,
  signature: string | undefined,
  options: VerifyOptions = {},
): SignatureVerdict => {
  if (!timestamp) return fail(SignatureFailure.MissingSignature, `${SignatureHeader.Timestamp} header is missing`);
  if (!signature) return fail(SignatureFailure.MissingSignature, `${SignatureHeader.Signature} header is missing`);
  if (!/^\d{1,15}$/.test(timestamp)) {
    return fail(SignatureFailure.StaleTimestamp, `${SignatureHeader.Timestamp} must be unix seconds, got "${timestamp.slice(0, 40)}"`);
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const skew = Math.abs(now - Number(timestamp));
  if (skew > tolerance) {
    return fail(SignatureFailure.StaleTimestamp, `timestamp is ${skew} s away from now, more than the ${tolerance} s allowed`);
  }
  const hex = signature.startsWith(PREFIX) ? signature.slice(PREFIX.length).toLowerCase() : "";
  if (!HEX_DIGEST.test(hex)) {
    return fail(SignatureFailure.BadSignature, `${SignatureHeader.Signature} must be "sha256=" and 64 hex digits`);
  }
  const given = Buffer.from(hex, "hex");
  const candidates = (typeof secrets === "string" ? [secrets] : secrets).filter((secret) => secret.length > 0);
  if (candidates.length === 0) throw new Error("verifySignature: no secret configured");
  // Every candidate is compared, so the time taken does not tell which key matched.
  let matched = false;
  for (const secret of candidates) matched = timingSafeEqual(digest(secret, timestamp, body), given) || matched;
  return matched ? { valid: true } : fail(SignatureFailure.BadSignature, "signature does not match the body");
};
