/**
 * A minimal JSON-over-HTTP client on Node's own fetch for the providers that
 * have no maintained official Node SDK (Bitbucket Cloud and Server, Gitea),
 * or one that adds requests and retries of its own (Azure DevOps):
 * one attempt per call — retries belong to the queue, which backs off and
 * honours rate-limit delays — and every failure classified by `toScmError`.
 */
import { toScmError, type FailureContext } from "./classify";

export interface JsonRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly timeoutMs: number;
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** The SCM's error message, wherever in the body this SCM puts it. */
const messageOf = (body: unknown, fallback: string): string => {
  if (typeof body === "string" && body.trim() !== "") return body.trim().slice(0, 500);
  if (!body || typeof body !== "object") return fallback;
  const record = body as Record<string, unknown>;
  // Bitbucket Cloud: { error: { message } }; Bitbucket Server: { errors: [{ message }] }; Gitea/GitHub: { message }.
  const nested = record.error as Record<string, unknown> | undefined;
  const first = Array.isArray(record.errors) ? (record.errors[0] as Record<string, unknown> | undefined) : undefined;
  const message = nested?.message ?? first?.message ?? record.message ?? record.error;
  return typeof message === "string" && message !== "" ? message : fallback;
};

const readBody = async (response: Response): Promise<unknown> => {
  const raw = await response.text();
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};

/** Sends one request; resolves on 2xx, and on `allow`ed statuses (a 404 meaning "none yet"). */
export const requestJson = async (
  request: JsonRequest,
  context: FailureContext,
  allow: readonly number[] = [],
): Promise<JsonResponse> => {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        accept: "application/json",
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (cause) {
    const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    throw toScmError({ message: reason, cause }, context);
  }
  const headers = Object.fromEntries(response.headers.entries());
  const body = await readBody(response);
  if (response.ok || allow.includes(response.status)) return { status: response.status, headers, body };
  throw toScmError({ status: response.status, headers, message: messageOf(body, response.statusText) }, context);
};

/** `Authorization` for either a bearer token or basic credentials. */
export const authorization = (auth: { token?: string; username?: string; password?: string }, scheme = "Bearer"): string =>
  auth.token !== undefined
    ? `${scheme} ${auth.token}`
    : `Basic ${Buffer.from(`${auth.username ?? ""}:${auth.password ?? ""}`).toString("base64")}`;
