import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const TOKEN = "xoxb-1111-2222-fakeSlackBotToken";

export interface SlackChannel {
  readonly id: string;
  readonly name: string;
  /** Whether the bot was invited; posting elsewhere is `not_in_channel`. */
  readonly member: boolean;
}

export interface SlackWebMessage {
  readonly channel: string;
  readonly ts: string;
  /** The parent's ts for a reply in a thread. */
  readonly threadTs?: string;
  text: string;
  blocks: unknown[];
  /** How many times chat.update changed it. */
  edits: number;
}

const refuse = (error: string): Answer => ({ status: 200, body: { ok: false, error } });

const isJson = (request: RecordedRequest): boolean => String(request.headers["content-type"] ?? "").startsWith("application/json");

/** Form bodies carry objects as JSON strings (https://api.slack.com/web#posting_json). */
const argumentsOf = (request: RecordedRequest): Record<string, unknown> | undefined => {
  const type = String(request.headers["content-type"] ?? "");
  if (isJson(request)) return request.json as Record<string, unknown> | undefined;
  if (!type.startsWith("application/x-www-form-urlencoded")) return undefined;
  const args: Record<string, unknown> = Object.fromEntries(new URLSearchParams(request.body));
  if (typeof args.blocks === "string") {
    try {
      args.blocks = JSON.parse(args.blocks);
    } catch {
      args.blocks = "not json";
    }
  }
  return args;
};

/**
 * Slack's Web API, the two methods the bot uses
 * (https://api.slack.com/methods/chat.postMessage, https://api.slack.com/methods/chat.update):
 * `POST /api/<method>` with a form or JSON body, the token as a bearer
 * header (or a `token` form field); refusals are HTTP 200 with
 * `{"ok": false, "error": code}` (`not_authed`, `invalid_auth`,
 * `channel_not_found`, `not_in_channel`, `no_text`, `invalid_blocks`,
 * `message_not_found`), a rate limit is scripted as 429 with `Retry-After`.
 * `chat.postMessage` takes a channel ID or `#name` and answers with the
 * ID; `chat.update` needs the ID.
 */
export class FakeSlackWeb extends FakeHttpServer {
  readonly token = TOKEN;
  readonly channels: SlackChannel[] = [
    { id: "C0CI00001", name: "ci", member: true },
    { id: "C0OTHER01", name: "other", member: false },
  ];
  /** Every message in the workspace, thread replies included, in the order posted. */
  readonly messages: SlackWebMessage[] = [];
  #limited: { call: number; retryAfter: number } | undefined;
  #calls = 0;

  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** Calls of one method, e.g. `chat.update`. */
  calls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === `/api/${method}`);
  }

  /** Top-level messages (not replies). */
  get posts(): SlackWebMessage[] {
    return this.messages.filter((m) => m.threadTs === undefined);
  }

  /** Replies in the thread of `ts`. */
  replies(ts: string): SlackWebMessage[] {
    return this.messages.filter((m) => m.threadTs === ts);
  }

  /** The `nth` API call from now (1 is the next) is refused with 429 and `Retry-After: retryAfter`. */
  rateLimitCall(nth: number, retryAfter: number): void {
    this.#limited = { call: this.#calls + nth, retryAfter };
  }

  /** Someone deletes a message in Slack. */
  deleteMessage(ts: string): void {
    const at = this.messages.findIndex((m) => m.ts === ts);
    if (at >= 0) this.messages.splice(at, 1);
  }

  override reset(): void {
    super.reset();
    this.messages.length = 0;
    this.#limited = undefined;
  }

  protected handle(request: RecordedRequest): Answer {
    if (request.method !== "POST") return { status: 405, body: "method not allowed" };
    this.#calls += 1;
    if (this.#limited?.call === this.#calls) {
      return { status: 429, headers: { "retry-after": String(this.#limited.retryAfter) }, body: { ok: false, error: "ratelimited" } };
    }
    const args = argumentsOf(request);
    if (!args) return refuse("invalid_form_data");
    const auth = request.headers.authorization;
    // A JSON body cannot carry the token: it goes in the Authorization header (https://api.slack.com/web#posting_json).
    const formToken = !isJson(request) && typeof args.token === "string" ? args.token : undefined;
    const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : formToken;
    if (!token) return refuse("not_authed");
    if (token !== TOKEN) return refuse("invalid_auth");
    switch (request.path) {
      case "/api/chat.postMessage":
        return this.#postMessage(args);
      case "/api/chat.update":
        return this.#update(args);
      default:
        return refuse("unknown_method");
    }
  }

  #content(args: Record<string, unknown>): { text: string; blocks: unknown[] } | Answer {
    const text = typeof args.text === "string" ? args.text : "";
    const blocks = args.blocks ?? [];
    if (!Array.isArray(blocks)) return refuse("invalid_blocks_format");
    if (!text && blocks.length === 0) return refuse("no_text");
    const header = (blocks as { type?: string; text?: { text?: string } }[]).find((b) => b.type === "header");
    if (blocks.length > 50 || (header?.text?.text?.length ?? 0) > 150) return refuse("invalid_blocks");
    return { text, blocks };
  }

  #postMessage(args: Record<string, unknown>): Answer {
    const name = String(args.channel ?? "");
    const channel = this.channels.find((c) => c.id === name || `#${c.name}` === name || c.name === name);
    if (!channel) return refuse("channel_not_found");
    if (!channel.member) return refuse("not_in_channel");
    const content = this.#content(args);
    if ("status" in content) return content;
    const threadTs = typeof args.thread_ts === "string" ? args.thread_ts : undefined;
    const ts = `${1_700_000_000 + this.messages.length}.000${100 + this.messages.length}`;
    const message: SlackWebMessage = { channel: channel.id, ts, ...(threadTs ? { threadTs } : {}), ...content, edits: 0 };
    this.messages.push(message);
    return { status: 200, body: { ok: true, channel: channel.id, ts, message: { type: "message", subtype: "bot_message", bot_id: "B0FAKE", ts, ...content } } };
  }

  #update(args: Record<string, unknown>): Answer {
    const channel = this.channels.find((c) => c.id === args.channel);
    if (!channel) return refuse("channel_not_found");
    const message = this.messages.find((m) => m.channel === channel.id && m.ts === args.ts);
    if (!message) return refuse("message_not_found");
    const content = this.#content(args);
    if ("status" in content) return content;
    message.text = content.text;
    message.blocks = content.blocks;
    message.edits += 1;
    return { status: 200, body: { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: { type: "message", ts: message.ts, ...content } } };
  }
}
