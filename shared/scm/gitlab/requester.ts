/**
 * A gitbeaker requester that makes exactly one attempt per call.
 *
 * Why not gitbeaker's own: @gitbeaker/rest retries 429 and 502 up to ten
 * times with sub-second sleeps and then throws an error without the
 * response, so a rate-limited GitLab is hammered and its `Retry-After` is
 * lost. Retries belong to the queue, which backs off and honours that delay.
 * Everything else — options, auth headers, body encoding — is gitbeaker's
 * (`createRequesterFn` + its default options handler); errors have the
 * shape @gitbeaker/rest throws (GitbeakerRequestError with the response in
 * `cause`), so callers cannot tell the difference.
 */
import { GitbeakerRequestError, GitbeakerTimeoutError } from "@gitbeaker/rest";
import { createRequesterFn, type RequestHandlerFn, type ResourceOptions, type RequesterType } from "@gitbeaker/requester-utils";

interface HandlerOptions {
  prefixUrl?: string;
  searchParams?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: RequestInit["body"];
  signal?: AbortSignal;
}

const parseBody = async (response: Response): Promise<unknown> => {
  if (response.status === 204) return null;
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (type === "application/json") return (await response.json()) ?? {};
  return response.text();
};

const describe = (raw: string, contentType: string | null): string => {
  if (!contentType?.includes("application/json")) return raw;
  try {
    const output = JSON.parse(raw) as { error?: unknown; message?: unknown };
    const content = output?.error ?? output?.message ?? "";
    return typeof content === "string" ? content : JSON.stringify(content);
  } catch {
    return raw;
  }
};

const handler =
  (timeoutMs: number): RequestHandlerFn =>
  async (endpoint, options) => {
    const { prefixUrl = "", searchParams, method, headers, body, signal } = (options ?? {}) as HandlerOptions;
    const url = new URL(endpoint, prefixUrl.endsWith("/") ? prefixUrl : `${prefixUrl}/`);
    url.search = searchParams ?? "";
    const request = new Request(url, { method, headers, body, signal: signal ?? AbortSignal.timeout(timeoutMs) });
    const response = await fetch(request).catch((error: unknown) => {
      const name = (error as Error | undefined)?.name;
      if (name === "TimeoutError" || name === "AbortError") throw new GitbeakerTimeoutError("Query timeout was reached");
      throw error;
    });
    if (!response.ok) {
      const description = describe(await response.text(), response.headers.get("content-type"));
      throw new GitbeakerRequestError(description, { cause: { description, request, response } });
    }
    const parsed = await parseBody(response);
    return {
      body: parsed as never,
      headers: Object.fromEntries(response.headers.entries()),
      status: response.status,
    };
  };

export const singleAttemptRequester = (timeoutMs: number): ((options: ResourceOptions) => RequesterType) =>
  createRequesterFn((_, requestOptions) => Promise.resolve(requestOptions), handler(timeoutMs));
