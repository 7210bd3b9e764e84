import { createHash, timingSafeEqual } from "node:crypto";
import { SignatureHeader, verifySignature } from "../envelope";
import { UnauthorizedError, UnauthorizedReason } from "./errors";
import { header, type HttpRequest } from "./http";
import type { ClusterToken } from "./tokens";

/**
 * Constant-time token comparison. Both sides are hashed first because
 * timingSafeEqual needs equal lengths, and comparing lengths would leak the
 * token's length.
 */
export const tokenMatches = (given: string | undefined, expected: string): boolean => {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
};

export const requireToken = (given: string | undefined, expected: string, where: string): void => {
  if (!tokenMatches(given, expected)) {
    throw new UnauthorizedError(UnauthorizedReason.WrongToken, `${where}: missing or wrong token`);
  }
};

/**
 * The cluster a CloudEvents token is bound to. Every token is compared, so
 * the time taken does not tell whether, or which, one matched.
 */
export const requireClusterToken = (given: string | undefined, tokens: readonly ClusterToken[], where: string): string => {
  let cluster: string | undefined;
  for (const entry of tokens) {
    if (tokenMatches(given, entry.token) && cluster === undefined) cluster = entry.cluster;
  }
  if (cluster === undefined) throw new UnauthorizedError(UnauthorizedReason.WrongToken, `${where}: missing or wrong token`);
  return cluster;
};

/** A verified signature: its hex digest is the request's identity for replay protection. */
export interface SignedRequest {
  signatureHex: string;
  timestamp: number;
}

export const isSigned = (request: HttpRequest): boolean => header(request, SignatureHeader.Signature) !== undefined;

/**
 * Checks X-Feedback-Timestamp and X-Feedback-Signature-256 against the raw
 * body with the shared contract of shared/envelope/signature.ts.
 */
export const verifySignedRequest = (
  request: HttpRequest,
  body: Uint8Array,
  secret: string,
  now: Date,
  windowSeconds: number,
): SignedRequest => {
  const timestamp = header(request, SignatureHeader.Timestamp);
  const signature = header(request, SignatureHeader.Signature);
  const verdict = verifySignature(secret, timestamp, body, signature, { now, toleranceSeconds: windowSeconds });
  if (!verdict.valid) throw new UnauthorizedError(verdict.reason, verdict.message);
  return { signatureHex: signature!.slice("sha256=".length).toLowerCase(), timestamp: Number(timestamp) };
};

/** `Authorization: Bearer <token>`, else `?token=` (Tekton's sink setting is a bare URL). */
export const bearerOrQueryToken = (request: HttpRequest): string | undefined => {
  const authorization = header(request, "authorization");
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return match?.[1] ?? request.queryStringParameters?.token;
};
