import { randomUUID } from "node:crypto";
import { SignatureHeader, signBody } from "../../shared/envelope";
import type { OperationSource, ReceivedOperation, Settlement } from "../../shared/operations";

export interface IngestOperationSourceOptions {
  /** The webhook sink's URL (INGEST_URL, `…/events`): the operations routes sit beside it. */
  eventsUrl: string;
  /** The HMAC key the webhook sink signs with. */
  secret: string;
  cluster: string;
  /** Time allowed beyond the long poll for the round trip. */
  slackMs?: number;
}

/** The paths beside `/events`, as shared/ingest/routes.ts declares them. */
const RECEIVE_PATH = "operations/receive";
const ACK_PATH = "operations/ack";

interface ReceiveAnswer {
  operations?: ReceivedOperation[];
  message?: string;
}

/**
 * A cluster's operations through the ingest function, for relays on the
 * webhook sink (no AWS identity in the cluster): a signed long-poll POST
 * that returns a batch with receipt handles, and a signed POST that settles
 * them. Signed exactly like `POST /events` (HMAC-SHA256 over
 * `<timestamp>.<body>`); a random nonce in every body keeps two polls within
 * one second from carrying the same signature, which ingest would refuse as
 * a replay.
 */
export class IngestOperationSource implements OperationSource {
  readonly name = "ingest";
  readonly #receiveUrl: URL;
  readonly #ackUrl: URL;
  readonly #secret: string;
  readonly #cluster: string;
  readonly #slackMs: number;

  constructor(options: IngestOperationSourceOptions) {
    if (!options.secret) throw new Error("operations source: secret cannot be empty");
    // Relative to `…/events`: `…/operations/receive`, whatever stage prefix the URL has.
    this.#receiveUrl = new URL(RECEIVE_PATH, options.eventsUrl);
    this.#ackUrl = new URL(ACK_PATH, options.eventsUrl);
    this.#secret = options.secret;
    this.#cluster = options.cluster;
    this.#slackMs = options.slackMs ?? 10_000;
  }

  async receive(waitSeconds: number, signal: AbortSignal): Promise<ReceivedOperation[]> {
    const answer = (await this.#post(this.#receiveUrl, { cluster: this.#cluster, waitSeconds }, waitSeconds * 1000 + this.#slackMs, signal)) as ReceiveAnswer;
    return answer.operations ?? [];
  }

  async settle(settlement: Settlement): Promise<void> {
    if (settlement.done.length === 0 && settlement.retry.length === 0) return;
    await this.#post(this.#ackUrl, { cluster: this.#cluster, ...settlement }, this.#slackMs);
  }

  async #post(url: URL, fields: Record<string, unknown>, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    const body = JSON.stringify({ ...fields, nonce: randomUUID() });
    const timestamp = Math.floor(Date.now() / 1000);
    const timeout = AbortSignal.timeout(timeoutMs);
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        [SignatureHeader.Timestamp]: String(timestamp),
        [SignatureHeader.Signature]: signBody(this.#secret, timestamp, body),
      },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await response.text();
    let answer: unknown = {};
    try {
      answer = JSON.parse(text);
    } catch {
      // Not JSON: the status and the text say what went wrong.
    }
    if (!response.ok) {
      const message = (answer as { message?: string }).message ?? text.slice(0, 200);
      throw new Error(`POST ${url.pathname}: ingest answered ${response.status}${message ? `: ${message}` : ""}`);
    }
    return answer;
  }
}
