import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RelayMetrics } from "./metrics";

/** What the probes report; `detail` is shown to a human reading the probe's body. */
export interface HealthStatus {
  /** False when the relay cannot recover by itself (a watcher gave up): the kubelet should restart it. */
  live: boolean;
  /** Leader with every watch synced, or standing by. */
  ready: boolean;
  detail: Record<string, unknown>;
}

export interface HealthServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  status: () => HealthStatus;
  metrics: RelayMetrics;
}

/**
 * `/healthz`, `/readyz` and `/metrics` on plain node:http: three GET routes
 * do not justify a web framework in an image that must stay small.
 */
export class HealthServer {
  readonly #options: HealthServerOptions;
  #server: Server | undefined;

  constructor(options: HealthServerOptions) {
    this.#options = options;
  }

  async start(): Promise<number> {
    const server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => {
        if (!response.headersSent) this.#send(response, 500, "text/plain", `${(error as Error).message}\n`);
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#options.port, this.#options.host ?? "0.0.0.0", resolve);
    });
    this.#server = server;
    return (server.address() as AddressInfo).port;
  }

  get port(): number | undefined {
    return (this.#server?.address() as AddressInfo | null)?.port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://relay").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") return this.#send(response, 405, "text/plain", "method not allowed\n");
    switch (path) {
      case "/healthz": {
        const status = this.#options.status();
        return this.#send(response, status.live ? 200 : 503, "application/json", `${JSON.stringify({ live: status.live, ...status.detail })}\n`);
      }
      case "/readyz": {
        const status = this.#options.status();
        return this.#send(response, status.ready ? 200 : 503, "application/json", `${JSON.stringify({ ready: status.ready, ...status.detail })}\n`);
      }
      case "/metrics":
        return this.#send(response, 200, this.#options.metrics.contentType, await this.#options.metrics.render());
      default:
        return this.#send(response, 404, "text/plain", "not found\n");
    }
  }

  #send(response: ServerResponse, code: number, contentType: string, body: string): void {
    response.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
    response.end(body);
  }
}
