import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { describePath, findTooDeep } from "../envelope";
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

/**
 * Parses a JSON body and refuses one nested too deep before anything walks
 * it recursively (see ENVELOPE_LIMITS). The items of a body that is an array
 * (a batch) each count from their own root, as each becomes an envelope of
 * its own. `at` names where the body sits, for bodies that are only part of
 * a request (a CloudEvent's data).
 */
export const parseJsonBody = (body: string, at = ""): unknown => {
  if (body.trim() === "") throw new InvalidRequestError(`${at ? `${at}: ` : ""}body is empty: expected JSON`);
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch (cause) {
    throw new InvalidRequestError(`${at ? `${at}: ` : ""}body is not JSON (${(cause as Error).message})`, [], { cause });
  }
  const prefix = at ? [at] : [];
  const roots = Array.isArray(value) ? value.map((item, index) => [[...prefix, index], item] as const) : [[prefix, value] as const];
  for (const [where, root] of roots) {
    const deep = findTooDeep(root);
    if (deep) throw new InvalidRequestError(`${describePath([...where, ...deep.segments])}: ${deep.reason}`);
  }
  return value;
};

export const jsonResponse = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * A request path fit for a log line or an error message: the segment after
 * `/admission/` is the admission token (the API server cannot send it any
 * other way), so it is masked wherever it sits, in any case, whatever follows.
 */
export const maskPath = (path: string): string => path.replace(/(\/admission\/)[^/?#]*/gi, "$1{token}");

/** `METHOD /path` of a request for a log line, with the token masked. */
export const routeForLog = (request: Pick<HttpRequest, "requestContext" | "rawPath">): string =>
  `${request.requestContext?.http?.method ?? "?"} ${maskPath(request.rawPath ?? "?")}`;
