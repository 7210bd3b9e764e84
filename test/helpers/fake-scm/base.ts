/**
 * What every fake SCM server shares: a node:http server on a free loopback
 * port, a request log, routing by path template, and failure injection
 * (an HTTP answer with chosen headers, or a dropped connection), so the
 * real clients can be tested over HTTP against the answers real SCMs give.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedScmRequest {
  readonly method: string;
  /** Path without the query string, still percent-encoded. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
  readonly body: unknown;
}

export interface ScmReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Thrown by route handlers to answer with an error. */
export class ScmHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`fake scm: ${status}`);
    this.name = "ScmHttpError";
  }
}

export interface FailureInjection {
  /** Only requests with this method (default: any). */
  readonly method?: string;
  /** Only requests whose path contains this text or matches this pattern (default: any). */
  readonly path?: string | RegExp;
  /** Answer with this status… */
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** …or drop the connection without an answer. */
  readonly reset?: boolean;
  /** How many matching requests fail; default 1. */
  readonly times?: number;
}

export type RouteHandler = (request: RecordedScmRequest, params: Readonly<Record<string, string>>) => ScmReply | Promise<ScmReply>;

export interface Route {
  readonly method: string;
  /** `/repos/{owner}/{repo}/statuses/{sha}`: a `{name}` matches one path segment. */
  readonly template: string;
  readonly handler: RouteHandler;
}

/** Params of `template` in `path`, decoded; undefined when it does not match. */
export const matchTemplate = (template: string, path: string): Record<string, string> | undefined => {
  const expected = template.split("/");
  const actual = path.split("/");
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of expected.entries()) {
    const segment = actual[index]!;
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name) {
      if (segment === "") return undefined;
      params[name] = decodeURIComponent(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
};

export const json = (status: number, body?: unknown, headers?: Record<string, string>): ScmReply => ({ status, body, headers });

export abstract class FakeScmServer {
  /** Every request received, oldest first, including refused ones. */
  readonly requests: RecordedScmRequest[] = [];
  #failures: { injection: FailureInjection; remaining: number }[] = [];
  #server: Server | undefined;

  protected abstract routes(): readonly Route[];

  /** Answers requests that pass auth; the default refuses nothing. */
  protected authenticate(_request: RecordedScmRequest): void {}

  /** Runs on every request before anything else and may refuse it (the GitHub fake validates against OpenAPI here). */
  protected inspect(_request: RecordedScmRequest): void {}

  /** Headers added to every answer (GitHub's rate-limit headers). */
  protected commonHeaders(): Record<string, string> {
    return {};
  }

  async start(): Promise<this> {
    if (this.#server) return this;
    const server = createServer((request, response) => {
      this.#serve(request, response).catch(() => response.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    this.#server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  get url(): string {
    if (!this.#server) throw new Error("fake scm: the server is not started");
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Requests that change something (anything but GET), oldest first. */
  get writes(): RecordedScmRequest[] {
    return this.requests.filter((request) => request.method !== "GET");
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Fails the next `times` matching requests, before auth and routing. */
  failNext(injection: FailureInjection): void {
    this.#failures.push({ injection, remaining: injection.times ?? 1 });
  }

  async #serve(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(incoming.url ?? "/", "http://fake-scm");
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const request: RecordedScmRequest = {
      method: incoming.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: incoming.headers,
      body,
    };
    this.requests.push(request);

    let reply: ScmReply;
    try {
      this.inspect(request);
      const failure = this.#takeFailure(request);
      if (failure?.reset) {
        response.socket?.destroy();
        return;
      }
      if (failure) throw new ScmHttpError(failure.status ?? 500, failure.body ?? { message: "injected failure" }, failure.headers);
      this.authenticate(request);
      reply = await this.#route(request);
    } catch (error) {
      if (!(error instanceof ScmHttpError)) throw error;
      reply = { status: error.status, body: error.body, headers: error.headers };
    }
    this.#respond(response, reply);
  }

  async #route(request: RecordedScmRequest): Promise<ScmReply> {
    let pathMatched = false;
    for (const route of this.routes()) {
      const params = matchTemplate(route.template, request.path);
      if (!params) continue;
      pathMatched = true;
      if (route.method === request.method) return route.handler(request, params);
    }
    throw new ScmHttpError(pathMatched ? 405 : 404, { message: pathMatched ? "Method Not Allowed" : "Not Found" });
  }

  #takeFailure(request: RecordedScmRequest): FailureInjection | undefined {
    const match = this.#failures.find(({ injection }) => {
      if (injection.method && injection.method !== request.method) return false;
      if (typeof injection.path === "string") return request.path.includes(injection.path);
      return injection.path ? injection.path.test(request.path) : true;
    });
    if (!match) return undefined;
    match.remaining -= 1;
    this.#failures = this.#failures.filter((failure) => failure.remaining > 0);
    return match.injection;
  }

  #respond(response: ServerResponse, reply: ScmReply): void {
    const headers: Record<string, string> = { ...this.commonHeaders(), ...reply.headers };
    // A page rather than JSON (Azure DevOps' sign-in page): sent as it is, under its own content-type.
    if (typeof reply.body === "string" && headers["content-type"]?.startsWith("text/")) {
      response.writeHead(reply.status, { "content-length": String(Buffer.byteLength(reply.body)), ...headers });
      response.end(reply.body);
      return;
    }
    if (reply.body === undefined) {
      response.writeHead(reply.status, headers);
      response.end();
      return;
    }
    const payload = JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(payload)),
      ...headers,
    });
    response.end(payload);
  }
}

/** The credential after the scheme in an `Authorization` header (`token x`, `Bearer x`, `Basic x`). */
export const credentialOf = (request: RecordedScmRequest, scheme: RegExp): string | undefined => {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^(\S+)\s+(.+)$/.exec(header.trim());
  return match && scheme.test(match[1]!) ? match[2] : undefined;
};

export const basicCredentials = (request: RecordedScmRequest): { username: string; password: string } | undefined => {
  const encoded = credentialOf(request, /^basic$/i);
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
};

/** A full 40- or 64-hex commit id, as every SCM demands. */
export const isFullSha = (sha: string): boolean => /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha);

export const nowIso = (): string => new Date().toISOString();
