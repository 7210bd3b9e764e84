import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { InvalidRequestError, PayloadTooLargeError } from "./errors";

/** API Gateway HTTP API (payload format 2.0) request and response. */
export type HttpRequest = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

/**
 * A header by name, whatever its case: HTTP API lower-cases names, but a
 * request replayed by hand or another front door may not.
 */
export const header = (request: HttpRequest, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

/** The media type of Content-Type without parameters (`application/json; charset=utf-8` → `application/json`). */
export const mediaType = (request: HttpRequest): string =>
  (header(request, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();

/** A request body: the bytes as sent (what a signature covers) and their UTF-8 text. */
export interface RequestBody {
  raw: Buffer;
  text: string;
}

/**
 * The body exactly as sent. HTTP API hands over media types it does not
 * treat as text base64-encoded. The size is checked before anything parses it.
 */
export const readBody = (request: HttpRequest, maxBytes: number): RequestBody => {
  const body = request.body ?? "";
  const raw = request.isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
  if (raw.length > maxBytes) throw new PayloadTooLargeError(raw.length, maxBytes);
  return { raw, text: raw.toString("utf8") };
};

export const parseJsonBody = (body: string): unknown => {
  if (body.trim() === "") throw new InvalidRequestError("body is empty: expected JSON");
  try {
    return JSON.parse(body) as unknown;
  } catch (cause) {
    throw new InvalidRequestError(`body is not JSON (${(cause as Error).message})`, [], { cause });
  }
};

export const jsonResponse = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
