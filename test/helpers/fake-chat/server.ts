import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The exact body text, for signature checks. */
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Base of the fake chat and webhook servers: node:http on a free loopback
 * port, every request recorded, and scripted answers that take precedence
 * over the service's normal behaviour (rate limits, outages, refusals).
 */
export abstract class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  #script: Answer[] = [];
  #server: Server | undefined;
  #baseUrl = "";

  /** `http://127.0.0.1:PORT`, once started. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** The next `times` requests get `answer` (they are recorded all the same). */
  answerNext(answer: Answer, times = 1): this {
    for (let i = 0; i < times; i++) this.#script.push(answer);
    return this;
  }

  /** Forgets recorded requests and unused scripted answers, between tests. */
  reset(): void {
    this.requests.length = 0;
    this.#script = [];
  }

  protected abstract handle(request: RecordedRequest): Answer;

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const recorded: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, json: parseJson(body) };
        this.requests.push(recorded);
        const answer = this.#script.shift() ?? this.handle(recorded);
        const text = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        const type = typeof answer.body === "string" || answer.body === undefined ? "text/plain; charset=utf-8" : "application/json";
        res.writeHead(answer.status, { "content-type": type, ...answer.headers });
        res.end(answer.status === 204 ? undefined : text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#server = server;
    this.#baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
