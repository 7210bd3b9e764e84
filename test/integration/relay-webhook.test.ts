import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeEnvelope, SignatureHeader, verifySignature, type Envelope } from "../../shared/envelope";
import { Relay } from "../../relay/relay";
import { WebhookSink } from "../../relay/sinks/webhook";
import { eventually, memoryLog, pipelineRun } from "../unit/relay/doubles";

const SECRET = "ingest-secret";

interface Received {
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  verdict: ReturnType<typeof verifySignature>;
  envelopes: Envelope[];
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A stand-in for the ingest function's POST /events: verifies every request and answers from a script. */
class IngestServer {
  readonly received: Received[] = [];
  readonly answers: Answer[] = [];
  #server: Server | undefined;

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      void this.#read(request).then((body) => {
        const timestamp = request.headers[SignatureHeader.Timestamp.toLowerCase()] as string | undefined;
        const signature = request.headers[SignatureHeader.Signature.toLowerCase()] as string | undefined;
        const verdict = verifySignature(SECRET, timestamp, body, signature);
        this.received.push({ timestamp, signature, body, verdict, envelopes: JSON.parse(body) as Envelope[] });
        const answer = verdict.valid ? (this.answers.shift() ?? { status: 202, body: { enqueued: (JSON.parse(body) as unknown[]).length } }) : { status: 401, body: verdict };
        response.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
        response.end(JSON.stringify(answer.body ?? {}));
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}/events`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #read(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }
}

const batch = (count: number): Envelope[] => Array.from({ length: count }, (_, i) => makeEnvelope("dev", "ADDED", pipelineRun(`run-${i}`)));
const names = (envelopes: readonly Envelope[]): string[] => envelopes.map((e) => e.object.metadata.name);

describe("Class: WebhookSink", () => {
  let ingest: IngestServer;
  let url: string;

  beforeEach(async () => {
    ingest = new IngestServer();
    url = await ingest.start();
  });

  afterEach(async () => {
    await ingest.stop();
  });

  describe("Method: send", () => {
    it("posts the batch as a JSON array with a timestamp and a signature the ingest side verifies", async () => {
      // Prepare
      const sink = new WebhookSink({ url, secret: SECRET });
      const envelopes = batch(3);

      // Act
      const report = await sink.send(envelopes);

      // Assess
      expect(report).toEqual({ sent: 3, retry: [], rejected: [] });
      expect(ingest.received).toHaveLength(1);
      expect(ingest.received[0]?.verdict).toEqual({ valid: true });
      expect(ingest.received[0]?.timestamp).toMatch(/^\d+$/);
      expect(ingest.received[0]?.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(ingest.received[0]?.envelopes).toEqual(envelopes);
    });

    it("returns the envelopes to retry when signed with the wrong key (401)", async () => {
      // Prepare
      const sink = new WebhookSink({ url, secret: "wrong-key" });

      // Act
      const report = await sink.send(batch(2));

      // Assess
      expect(report.sent).toBe(0);
      expect(report.retry).toHaveLength(2);
      expect(report.detail).toMatch(/401/);
    });

    it("rejects the envelopes a 400 names and returns the rest to retry when nothing was enqueued", async () => {
      // Prepare
      const sink = new WebhookSink({ url, secret: SECRET });
      ingest.answers.push({ status: 400, body: { message: "invalid envelope", invalid: [{ index: 1, path: "[1].object.metadata.uid", reason: "Required" }], enqueued: 0 } });
      const envelopes = batch(3);

      // Act
      const report = await sink.send(envelopes);

      // Assess
      expect(names(report.rejected.map((r) => r.envelope))).toEqual(["run-1"]);
      expect(report.rejected[0]?.reason).toMatch(/invalid envelope/);
      expect(names(report.retry)).toEqual(["run-0", "run-2"]);
      expect(report.sent).toBe(0);
    });

    it("splits the batch in halves when ingest answers 413", async () => {
      // Prepare
      const sink = new WebhookSink({ url, secret: SECRET });
      ingest.answers.push({ status: 413, body: { message: "too large" } });

      // Act
      const report = await sink.send(batch(4));

      // Assess
      expect(report).toEqual({ sent: 4, retry: [], rejected: [] });
      expect(ingest.received.map((r) => names(r.envelopes))).toEqual([
        ["run-0", "run-1", "run-2", "run-3"],
        ["run-0", "run-1"],
        ["run-2", "run-3"],
      ]);
    });

    it("returns only the failed indexes of a 503 to retry, with the server's Retry-After", async () => {
      // Prepare
      const sink = new WebhookSink({ url, secret: SECRET });
      ingest.answers.push({ status: 503, body: { failed: [2] }, headers: { "Retry-After": "3" } });

      // Act
      const report = await sink.send(batch(3));

      // Assess
      expect(report.sent).toBe(2);
      expect(names(report.retry)).toEqual(["run-2"]);
      expect(report.retryAfterMs).toBe(3_000);
    });

    it("signs a retry of the same batch with a later timestamp, so ingest does not take it for a replay", async () => {
      // Prepare: a clock frozen one millisecond before a second boundary.
      const frozen = 1_750_000_000_999;
      const sink = new WebhookSink({ url, secret: SECRET, now: () => frozen });
      const envelopes = batch(1);
      ingest.answers.push({ status: 503 });

      // Act
      await sink.send(envelopes);
      await sink.send(envelopes);

      // Assess
      const [first, second] = ingest.received;
      expect(Number(second?.timestamp)).toBe(Number(first?.timestamp) + 1);
      expect(second?.signature).not.toBe(first?.signature);
    });

    it("splits a batch whose body would exceed maxBodyBytes into several requests", async () => {
      // Prepare
      const envelopes = batch(4);
      const one = Buffer.byteLength(JSON.stringify(envelopes[0]));
      const sink = new WebhookSink({ url, secret: SECRET, maxBodyBytes: one * 2 + 10 });

      // Act
      const report = await sink.send(envelopes);

      // Assess
      expect(report.sent).toBe(4);
      expect(ingest.received.map((r) => r.envelopes.length)).toEqual([2, 2]);
    });
  });

  describe("Method: constructor", () => {
    it.each([
      [{ url: "http://ingest.example.com/events", secret: SECRET }, /must be https/],
      [{ url: "not a url", secret: SECRET }, /is not a URL/],
      [{ url: "https://ingest.example.com/events", secret: "" }, /secret cannot be empty/],
    ])("throws a clear error for %o", (options, message) => {
      // Act & Assess
      expect(() => new WebhookSink(options)).toThrow(message);
    });
  });

  describe("Method: (with Relay) ship", () => {
    it("delivers every envelope through a failing ingest, retrying until it answers 2xx", async () => {
      // Prepare
      // A clock a second further on each call, so retries need not wait for a fresh timestamp.
      let clock = Date.now();
      const sink = new WebhookSink({ url, secret: SECRET, now: () => (clock += 1_000) });
      const relay = new Relay({ cluster: "dev", watch: [], sink, log: memoryLog().log, buffer: { lingerMs: 2, retry: { baseMs: 5, maxMs: 10 } } });
      ingest.answers.push({ status: 502 }, { status: 429, headers: { "Retry-After": "0" } });

      // Act
      for (let i = 0; i < 12; i++) await relay.ship("ADDED", pipelineRun(`relay-${i}`));
      await relay.flush();
      await eventually("both batches arrived", () => ingest.received.length === 4);

      // Assess
      expect(ingest.received.every((r) => r.verdict.valid)).toBe(true);
      expect(ingest.received.map((r) => r.envelopes.length)).toEqual([10, 10, 10, 2]);
      expect(sink.stats.messages).toBe(12);
    });
  });
});
