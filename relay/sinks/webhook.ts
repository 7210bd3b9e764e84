import { createHash } from "node:crypto";
import { chunkBySize, envelopeBody, SignatureHeader, signBody, type Envelope } from "../../shared/envelope";
import { classifyHttp } from "../../shared/http";
import { mergeReports, type SendReport, type Sink } from "./types";

export interface WebhookSinkOptions {
  /** The ingest function's `POST /events` URL; HTTPS, or HTTP on a loopback host for tests. */
  url: string;
  /** HMAC key shared with ingest. */
  secret: string;
  /** Largest request body; a batch above it is split. */
  maxBodyBytes?: number;
  /** Per request. */
  timeoutMs?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/** Well under API Gateway's 10 MB and Lambda's 6 MB payload limits. */
const DEFAULT_MAX_BODY_BYTES = 1_048_576;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

interface IngestProblem {
  index?: number;
}
interface IngestAnswer {
  message?: string;
  invalid?: IngestProblem[];
  failed?: number[];
  enqueued?: number;
}

const parseAnswer = (text: string): IngestAnswer => {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" ? (value as IngestAnswer) : {};
  } catch {
    return {};
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs batches as a JSON array to the ingest function, signed with
 * HMAC-SHA256 over `<timestamp>.<body>` (shared/envelope/signature.ts).
 * Answers are mapped per envelope: 2xx sent; 400 rejects the envelopes it
 * names and resends the rest (ingest enqueues nothing of an invalid
 * request); 413 halves the batch; 409 (a replay ingest already took) is
 * sent; everything else, 401 included (a rotated key or a skewed clock an
 * operator can fix), is retried by the buffer, after the wait the answer
 * named as the project's one HTTP classifier reads it (shared/http/classify.ts).
 */
export class WebhookSink implements Sink {
  readonly name = "webhook";
  readonly #url: URL;
  readonly #secret: string;
  readonly #maxBodyBytes: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #last: { timestamp: number; digest: string } | undefined;
  readonly stats = { requests: 0, messages: 0 };

  constructor(options: WebhookSinkOptions) {
    if (!options.secret) throw new Error("webhook sink: secret cannot be empty");
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error(`webhook sink: url "${options.url}" is not a URL`);
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
      throw new Error(`webhook sink: url must be https (plain http only to a loopback host), got ${url.protocol}//${url.host}`);
    }
    this.#url = url;
    this.#secret = options.secret;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async send(envelopes: readonly Envelope[]): Promise<SendReport> {
    const items = envelopes.map((envelope) => ({ envelope, bytes: envelopeBody(envelope).bytes + 1 }));
    const reports: SendReport[] = [];
    for (const chunk of chunkBySize(items, Number.MAX_SAFE_INTEGER, this.#maxBodyBytes)) {
      reports.push(await this.#post(chunk.map((item) => item.envelope)));
    }
    return mergeReports(reports);
  }

  async #post(batch: readonly Envelope[]): Promise<SendReport> {
    // JSON.stringify(batch), from the JSON each envelope already has (envelopeBody).
    const body = `[${batch.map((envelope) => envelopeBody(envelope).body).join(",")}]`;
    const timestamp = await this.#timestampFor(body);
    this.stats.requests++;
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          [SignatureHeader.Timestamp]: String(timestamp),
          [SignatureHeader.Signature]: signBody(this.#secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { sent: 0, retry: [...batch], rejected: [], detail: `POST ${this.#url.host}: ${(error as Error).message}${cause ? ` (${cause})` : ""}` };
    }
    const text = await response.text().catch(() => "");
    const answer = parseAnswer(text);
    const status = response.status;
    const detail = `ingest answered ${status}${answer.message ? `: ${answer.message}` : text ? `: ${text.slice(0, 200)}` : ""}`;
    if ((status >= 200 && status < 300) || status === 409) return this.#sent(batch.length);
    const now = this.#now();
    const { notBefore } = classifyHttp({ status, headers: response.headers, message: answer.message ?? text }, now);
    const retryAfterMs = notBefore === undefined ? undefined : notBefore - now;
    if (status === 413 && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      return mergeReports([await this.#post(batch.slice(0, half)), await this.#post(batch.slice(half))]);
    }
    if (status === 413) return { sent: 0, retry: [], rejected: [{ envelope: batch[0]!, reason: detail }] };
    if (status === 400) return this.#invalid(batch, answer, detail);
    if (status === 503 && Array.isArray(answer.failed) && answer.failed.length > 0) {
      const failed = new Set(answer.failed);
      const retry = batch.filter((_, index) => failed.has(index));
      this.stats.messages += batch.length - retry.length;
      return { sent: batch.length - retry.length, retry, rejected: [], detail, retryAfterMs };
    }
    return { sent: 0, retry: [...batch], rejected: [], detail, retryAfterMs };
  }

  /** 400: the named envelopes are bad for good; the others were not enqueued unless ingest says so. */
  #invalid(batch: readonly Envelope[], answer: IngestAnswer, detail: string): SendReport {
    const named = new Set((answer.invalid ?? []).map((p) => p.index).filter((i): i is number => Number.isInteger(i)));
    if (named.size === 0) return { sent: 0, retry: [], rejected: batch.map((envelope) => ({ envelope, reason: detail })), detail };
    const rejected = batch.filter((_, i) => named.has(i)).map((envelope) => ({ envelope, reason: detail }));
    const valid = batch.filter((_, i) => !named.has(i));
    if (answer.enqueued !== undefined && answer.enqueued >= valid.length) {
      this.stats.messages += valid.length;
      return { sent: valid.length, retry: [], rejected };
    }
    return { sent: 0, retry: valid, rejected, detail };
  }

  #sent(count: number): SendReport {
    this.stats.messages += count;
    return { sent: count, retry: [], rejected: [] };
  }

  /**
   * Unix seconds for this request. Ingest refuses a signature it has seen
   * (409, replay protection), and a retry of the same batch within the same
   * second would carry the same signature, so it waits for the next second.
   */
  async #timestampFor(body: string): Promise<number> {
    const digest = createHash("sha256").update(body).digest("hex");
    let timestamp = Math.floor(this.#now() / 1000);
    if (this.#last?.digest === digest && this.#last.timestamp >= timestamp) {
      await sleep((this.#last.timestamp + 1) * 1000 - this.#now());
      timestamp = Math.max(Math.floor(this.#now() / 1000), this.#last.timestamp + 1);
    }
    this.#last = { timestamp, digest };
    return timestamp;
  }
}
