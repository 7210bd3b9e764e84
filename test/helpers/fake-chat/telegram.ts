import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const TOKEN = "123456789:AAFakeTelegramBotTokenForTests_x-1";
const PATH = /^\/bot([^/]+)\/([A-Za-z]+)$/;
/** The tags of the Bot API's HTML style (https://core.telegram.org/bots/api#html-style). */
const TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"]);
const TAG = /^<(\/?)([a-zA-Z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/;
const ENTITY = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

export interface TelegramMessage {
  readonly chatId: string;
  readonly threadId?: number;
  /** The text as sent (HTML). */
  readonly html: string;
  /** The text as the chat shows it: tags removed, entities decoded. */
  readonly text: string;
  readonly silent: boolean;
  readonly previewDisabled: boolean;
}

const fail = (status: number, description: string, parameters?: Record<string, unknown>): Answer => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

/** The visible text of an HTML-style message, or the parse error Telegram would give. */
export const parseTelegramHtml = (html: string): { text: string } | { error: string } => {
  const open: string[] = [];
  let text = "";
  for (let i = 0; i < html.length; ) {
    const rest = html.slice(i);
    if (rest[0] === "<") {
      const tag = TAG.exec(rest);
      if (!tag || !TAGS.has(tag[2]!.toLowerCase())) return { error: `Unsupported start tag at byte offset ${i}` };
      const name = tag[2]!.toLowerCase();
      if (tag[1] === "/") {
        if (open.pop() !== name) return { error: `Can't find end tag corresponding to start tag "${name}"` };
      } else {
        if (name === "a" && !/\shref="[^"]+"/.test(tag[3] ?? "")) return { error: "Can't find href of a link" };
        open.push(name);
      }
      i += tag[0].length;
    } else if (rest[0] === "&") {
      const entity = ENTITY.exec(rest);
      if (!entity) return { error: `Character entity expected at byte offset ${i}` };
      const code = entity[1]!;
      text += NAMED[code] ?? String.fromCodePoint(code.startsWith("#x") ? parseInt(code.slice(2), 16) : Number(code.slice(1)));
      i += entity[0].length;
    } else if (rest[0] === ">") {
      return { error: `Unexpected end tag at byte offset ${i}` };
    } else {
      text += rest[0];
      i += 1;
    }
  }
  return open.length > 0 ? { error: `Can't find end tag corresponding to start tag "${open.at(-1)}"` } : { text };
};

/**
 * Telegram's Bot API, `POST /bot<token>/sendMessage`
 * (https://core.telegram.org/bots/api#sendmessage): checks the token, the
 * chat (`chats`: known ids and @usernames; `migrated`: a group that became a
 * supergroup, answered 400 with `parameters.migrate_to_chat_id`), forum
 * topics, and the text as the API does — HTML parsed strictly, at most 4096
 * characters after parsing — and answers `{ok, result}` or
 * `{ok: false, error_code, description, parameters?}`.
 */
export class FakeTelegram extends FakeHttpServer {
  readonly token = TOKEN;
  readonly chats = new Map<string, { topics: number[] }>([
    ["-1001234567890", { topics: [42] }],
    ["@kube_feedback_ci", { topics: [] }],
  ]);
  readonly migrated = new Map<string, number>([["-4000000001", -1009876543210]]);
  readonly messages: TelegramMessage[] = [];

  override reset(): void {
    super.reset();
    this.messages.length = 0;
  }

  protected handle(request: RecordedRequest): Answer {
    const match = PATH.exec(request.path);
    if (!match) return fail(404, "Not Found");
    if (match[1] !== TOKEN) return fail(401, "Unauthorized");
    if (request.method !== "POST" || match[2]!.toLowerCase() !== "sendmessage") return fail(404, "Not Found: method not found");
    const body = request.json as
      | { chat_id?: unknown; text?: unknown; parse_mode?: unknown; message_thread_id?: unknown; disable_notification?: unknown; link_preview_options?: { is_disabled?: unknown } }
      | undefined;
    if (!body || (typeof body.chat_id !== "string" && typeof body.chat_id !== "number")) return fail(400, "Bad Request: chat_id is empty");
    const chatId = String(body.chat_id);
    const moved = this.migrated.get(chatId);
    if (moved !== undefined) return fail(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: moved });
    const chat = this.chats.get(chatId);
    if (!chat) return fail(400, "Bad Request: chat not found");
    if (typeof body.text !== "string" || body.text.trim() === "") return fail(400, "Bad Request: message text is empty");
    if (body.parse_mode !== undefined && body.parse_mode !== "HTML") return fail(400, `Bad Request: unsupported parse_mode ${String(body.parse_mode)}`);
    const parsed = body.parse_mode === "HTML" ? parseTelegramHtml(body.text) : { text: body.text };
    if ("error" in parsed) return fail(400, `Bad Request: can't parse entities: ${parsed.error}`);
    if (parsed.text.length > 4096) return fail(400, "Bad Request: message is too long");
    const threadId = typeof body.message_thread_id === "number" ? body.message_thread_id : undefined;
    if (threadId !== undefined && !chat.topics.includes(threadId)) return fail(400, "Bad Request: message thread not found");
    this.messages.push({
      chatId,
      ...(threadId === undefined ? {} : { threadId }),
      html: body.text,
      text: parsed.text,
      silent: body.disable_notification === true,
      previewDisabled: body.link_preview_options?.is_disabled === true,
    });
    return { status: 200, body: { ok: true, result: { message_id: this.messages.length, date: 1714557725, chat: { id: chatId, type: "supergroup" }, text: parsed.text } } };
  }
}
