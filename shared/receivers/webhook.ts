import { createHash, createHmac } from "node:crypto";
import { z } from "zod";
import { httpUrl } from "../config/url";
import type { PipelineInfo } from "../pipeline/types";
import { Disposition } from "../errors";
import { classifyHttp, type HttpHeaders } from "../http";
import { resolveSecret, secretReference } from "../secrets";
import { PermanentReceiverError, ReceiverError, ReceiverTargetGoneError, ReceiverThrottledError } from "./errors";
import { RateWindow, type RateLimit } from "./rate-window";
import { renderTemplate, templateOption } from "./template";
import type { ReceiverFactory } from "./registry";
import { LifecycleEvent, type Receiver, type ReceiverContext, type ServiceContext } from "../pipeline/receiver";

export const ALL_EVENTS: readonly LifecycleEvent[] = Object.values(LifecycleEvent);

/** The `events` option: which callbacks post. Chat receivers default to `finished` only. */
export const eventsOption = (defaults: readonly LifecycleEvent[]) =>
  z
    .array(z.enum(ALL_EVENTS as [LifecycleEvent, ...LifecycleEvent[]]))
    .min(1, "list at least one of created, started, progress, finished")
    .default([...defaults]);

export const timeoutOption = z.number().positive().max(60, "at most 60 seconds").default(10);

export { httpUrl };

/**
 * Skeleton of the HTTP receivers: a callback outside `events` posts nothing,
 * the rest go through one `post`, within `rateLimit` when one is given.
 */
export abstract class PostingReceiver implements Receiver {
  readonly name: string;
  readonly #events: ReadonlySet<LifecycleEvent>;
  readonly #window: RateWindow | undefined;

  protected constructor(name: string, events: readonly LifecycleEvent[], rateLimit?: RateLimit) {
    this.name = name;
    this.#events = new Set(events);
    this.#window = rateLimit ? new RateWindow(rateLimit) : undefined;
  }

  abstract initialize(sc: ServiceContext): Promise<void>;
  protected abstract post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void>;

  handles(event: LifecycleEvent): boolean {
    return this.#events.has(event);
  }

  /**
   * Takes a slot of `rateLimit` for one request, or throws the wait until
   * there is one. Every callback takes one; a receiver that sends more than
   * one request for a callback (Slack's thread replies) takes one per extra request.
   */
  protected takeRateSlot(): void {
    const wait = this.#window?.take();
    if (wait !== undefined) throw new ReceiverThrottledError(this.name, this.#window!.perMinute, wait);
  }

  async #dispatch(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.handles(event)) return;
    this.takeRateSlot();
    await this.post(ctx, event, info);
  }

  whenCreated(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    return this.#dispatch(ctx, LifecycleEvent.Created, info);
  }
  whenStarted(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    return this.#dispatch(ctx, LifecycleEvent.Started, info);
  }
  updateProgress(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    return this.#dispatch(ctx, LifecycleEvent.Progress, info);
  }
  whenFinished(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    return this.#dispatch(ctx, LifecycleEvent.Finished, info);
  }
}

/**
 * A stable id per (run, callback) — per distinct state for progress — so a
 * retried delivery carries the same id and the far side can drop the repeat.
 */
export const deliveryId = (info: PipelineInfo, event: LifecycleEvent): string => {
  const state = event === LifecycleEvent.Progress ? [info.phase, ...info.stages.map((s) => `${s.name}=${s.phase}`)] : [];
  return createHash("sha256").update(JSON.stringify([info.id, info.uid, event, state])).digest("hex").slice(0, 32);
};

// One Retry-After reader for every HTTP client (seconds or an HTTP date); re-exported for the chat receivers.
export { parseRetryAfter } from "../http";

/**
 * Maps an HTTP failure to the error the process function acts on, through
 * the project's one HTTP classifier (shared/http/classify.ts): a rate limit
 * or a 503 that names a time (`Retry-After` in `headers`, or `retryAfter`
 * seconds a body named) waits that long, 408/429/5xx retry with backoff,
 * any other status is permanent (the same request will be refused again).
 * Only the host is named: chat webhook paths carry tokens.
 */
export const responseError = (
  what: string,
  host: string,
  status: number,
  hint: { retryAfter?: number; detail?: string; headers?: HttpHeaders } = {},
  now: number = Date.now(),
): ReceiverError => {
  const message = `${what} ${host} answered ${status}${hint.detail ? `: ${hint.detail}` : ""}`;
  const answer = classifyHttp({ status, headers: hint.headers, message: hint.detail ?? "", retryAfterSeconds: hint.retryAfter }, now);
  if (answer.disposition !== Disposition.Retry) return new PermanentReceiverError(message);
  return new ReceiverError(message, answer.notBefore === undefined ? {} : { notBefore: answer.notBefore, now });
};

// undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is on its cause.
const reasonOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof inner?.code === "string" ? inner.code : typeof inner?.message === "string" ? inner.message : undefined;
  return detail ? `${error.message} (${detail})` : error.message;
};

export const networkError = (what: string, host: string, cause: unknown): ReceiverError =>
  new ReceiverError(`${what} ${host} could not be reached: ${reasonOf(cause)}`, { cause });

export interface SendOptions {
  readonly method?: "GET" | "POST" | "PUT" | "PATCH";
  readonly headers?: Record<string, string>;
  readonly timeoutSeconds: number;
  /** Reads a retry delay from an error body, for APIs that put it there (Matrix `retry_after_ms`, Discord `retry_after`). */
  readonly retryHint?: (body: string) => number | undefined;
  /** Statuses that mean what the URL names is gone (an edited message deleted): they throw `ReceiverTargetGoneError`. */
  readonly gone?: readonly number[];
}

const detailOf = (text: string): string | undefined => text.replace(/\s+/g, " ").trim().slice(0, 200) || undefined;

/** Sends a JSON body (none for a GET) with Node's fetch and returns the response text; failures become receiver errors. */
export const sendJson = async (what: string, url: string, body: string | undefined, options: SendOptions): Promise<string> => {
  const host = new URL(url).host;
  // Headers.set replaces case-insensitively, so a configured User-Agent wins over ours.
  const headers = new Headers({ ...(body === undefined ? {} : { "content-type": "application/json" }), "user-agent": "kube-feedback" });
  for (const [key, value] of Object.entries(options.headers ?? {})) headers.set(key, value);
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? "POST",
      headers,
      body,
      // A redirected POST turns into a GET: better a clear error than a silent wrong request.
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutSeconds * 1000),
    });
  } catch (cause) {
    throw networkError(what, host, cause);
  }
  const text = await response.text().catch(() => "");
  if (response.ok) return text;
  if (options.gone?.includes(response.status)) throw new ReceiverTargetGoneError(`${what} ${host} answered ${response.status}: ${detailOf(text) ?? "gone"}`, response.status);
  const retryAfter = options.retryHint?.(text);
  throw responseError(what, host, response.status, { retryAfter, detail: detailOf(text) ?? response.statusText, headers: response.headers });
};

/** Resolves a secret that is a URL (chat webhook URLs carry their token); says which option when it is not one. */
export const resolveSecretUrl = async (reference: string, field: string): Promise<string> => {
  const value = await resolveSecret(reference, { field });
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new ReceiverError(`${field}: the secret it points at is not an http(s) URL`);
  return value;
};

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const RESERVED_HEADERS = new Set(["content-type", "content-length", "host", "x-feedback-event", "x-feedback-delivery", "x-feedback-signature-256"]);

const WebhookOptions = z.strictObject({
  url: httpUrl(),
  /** HMAC-SHA256 key, by reference; the signature goes in `X-Feedback-Signature-256`. */
  secret: secretReference().optional(),
  // Names are checked here rather than in the record's key schema, whose errors do not name the key.
  headers: z
    .record(z.string(), z.string().regex(/^[^\r\n]*$/, "must not contain line breaks"))
    .default({})
    .superRefine((headers, ctx) => {
      for (const key of Object.keys(headers)) {
        if (!HEADER_NAME.test(key)) ctx.addIssue({ code: "custom", path: [key], message: "must be an HTTP header name" });
        else if (RESERVED_HEADERS.has(key.toLowerCase())) ctx.addIssue({ code: "custom", path: [key], message: "is set by the receiver and cannot be overridden" });
      }
    }),
  events: eventsOption(ALL_EVENTS),
  timeoutSeconds: timeoutOption,
  /** The request body, sent as rendered (and signed as sent); without it, `{ event, pipeline }` as JSON. */
  template: templateOption().optional(),
  /** The body's media type: a template may render something other than JSON. */
  contentType: z
    .string()
    .regex(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=[^\r\n;]+)*$/, "must be a media type such as application/json or text/plain; charset=utf-8")
    .default("application/json"),
});
export type WebhookOptions = z.output<typeof WebhookOptions>;

export const signatureOf = (key: string, body: string): string => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;

/** POSTs `{ event, pipeline }` as JSON, or the rendered `template`, signed like GitHub's `X-Hub-Signature-256` when a secret is set. */
export class WebhookReceiver extends PostingReceiver {
  readonly #options: WebhookOptions;
  #key: string | undefined;
  #ready = false;

  constructor(name: string, options: WebhookOptions) {
    super(name, options.events);
    this.#options = options;
  }

  async initialize(_sc: ServiceContext): Promise<void> {
    if (this.#options.secret) {
      this.#key = await resolveSecret(this.#options.secret, { field: `receiver ${this.name}: options.secret` });
    }
    this.#ready = true;
  }

  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#ready) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const body = renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }) ?? JSON.stringify({ event, pipeline: info });
    const headers: Record<string, string> = {
      ...this.#options.headers,
      "content-type": this.#options.contentType,
      "x-feedback-event": event,
      "x-feedback-delivery": deliveryId(info, event),
    };
    if (this.#key !== undefined) headers["x-feedback-signature-256"] = signatureOf(this.#key, body);
    await sendJson("webhook", this.#options.url, body, { headers, timeoutSeconds: this.#options.timeoutSeconds });
  }
}

export const webhookReceiverFactory: ReceiverFactory<typeof WebhookOptions> = {
  options: WebhookOptions,
  create: (name, options) => new WebhookReceiver(name, options),
};
