import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One callback as the webhook receiver posts it: `{ event, pipeline }` (README, "webhook" receiver). */
export interface HeardCallback {
  event: string;
  uid: string;
  name: string;
}

/**
 * A webhook endpoint that records every callback it hears and can leave one
 * request unanswered, so that the sender's call stays in flight for as long
 * as the test wants (a kill then lands in the middle of that call). Every
 * other request is answered 200 as soon as its body is read.
 */
export class HoldingWebhook {
  readonly heard: HeardCallback[] = [];
  #server: Server | undefined;
  #baseUrl = "";
  #hold: { at: number; arrived: (callback: HeardCallback) => void } | undefined;

  get url(): string {
    return `${this.#baseUrl}/hook`;
  }

  /** Leaves the `at`-th callback heard from now on (1-based, counting every one) unanswered; resolves when it arrives. */
  holdAt(at: number): Promise<HeardCallback> {
    return new Promise((arrived) => {
      this.#hold = { at: this.heard.length + at, arrived };
    });
  }

  /** How many times each callback was heard, by `uid event`. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { uid, event } of this.heard) counts.set(`${uid} ${event}`, (counts.get(`${uid} ${event}`) ?? 0) + 1);
    return counts;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { event: string; pipeline: { uid: string; name: string } };
        const callback = { event: body.event, uid: body.pipeline.uid, name: body.pipeline.name };
        this.heard.push(callback);
        if (this.#hold?.at === this.heard.length) {
          this.#hold.arrived(callback);
          this.#hold = undefined;
          return;
        }
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
    });
    // The sender may die with a request open: its socket ends with a reset.
    server.on("clientError", (_error, socket) => socket.destroy());
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
