import { createHash } from "node:crypto";
import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const SPACE = "AAAAfakeSpace";
const KEY = "AIzaSyFakeChatWebhookKey";
const TOKEN = "fakeChatToken";
const PATH = `/v1/spaces/${SPACE}/messages`;
const REPLY_OPTIONS = new Set(["MESSAGE_REPLY_OPTION_UNSPECIFIED", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD", "REPLY_MESSAGE_OR_FAIL"]);
const WIDGETS = new Set(["decoratedText", "textParagraph", "buttonList"]);
/** https://developers.google.com/workspace/chat/create-messages: a message is at most 32,000 bytes. */
const MESSAGE_BYTES_MAX = 32_000;

export interface GoogleChatMessage {
  readonly name: string;
  readonly thread: string;
  readonly requestId?: string;
  readonly body: Record<string, unknown>;
}

interface Card {
  cardId?: unknown;
  card?: { header?: { title?: unknown }; sections?: { widgets?: Record<string, unknown>[] }[] };
}

const googleError = (code: number, status: string, message: string): Answer => ({ status: code, body: { error: { code, message, status } } });

/** Why a card would be refused, or undefined. Only the widgets the receiver uses are known here. */
const cardProblem = (entry: Card): string | undefined => {
  if (typeof entry.cardId !== "string" || !entry.card) return "cardsV2[].cardId and card are required";
  if (typeof entry.card.header?.title !== "string") return "card.header.title is required";
  for (const section of entry.card.sections ?? []) {
    if (!Array.isArray(section.widgets) || section.widgets.length === 0) return "a section needs at least one widget";
    for (const widget of section.widgets) {
      const kinds = Object.keys(widget);
      if (kinds.length !== 1 || !WIDGETS.has(kinds[0]!)) return `unknown widget ${kinds.join(",")}`;
      const buttons = (widget.buttonList as { buttons?: { text?: unknown; onClick?: { openLink?: { url?: unknown } } }[] } | undefined)?.buttons;
      if (buttons?.some((b) => typeof b.text !== "string" || typeof b.onClick?.openLink?.url !== "string")) return "a button needs text and onClick.openLink.url";
    }
  }
  return undefined;
};

/**
 * A Google Chat space's incoming webhook, which is `spaces.messages.create`
 * with `key` and `token` in the query
 * (https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create):
 * checks the credentials, `messageReplyOption`, and the message (text or
 * cards, their widgets, the size), answers the created Message as JSON;
 * errors in Google's `{"error": {code, message, status}}`. Like the API it
 * answers a repeated `requestId` with the message created first, and puts
 * messages with one `thread.threadKey` in one thread.
 */
export class FakeGoogleChat extends FakeHttpServer {
  /** Messages created, one per distinct requestId. */
  readonly messages: GoogleChatMessage[] = [];

  get webhookUrl(): string {
    return `${this.baseUrl}${PATH}?key=${KEY}&token=${TOKEN}`;
  }

  override reset(): void {
    super.reset();
    this.messages.length = 0;
  }

  protected handle(request: RecordedRequest): Answer {
    const url = new URL(request.path, "http://fake");
    if (request.method !== "POST" || url.pathname !== PATH) return googleError(404, "NOT_FOUND", "Requested entity was not found.");
    if (url.searchParams.get("key") !== KEY) return googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
    if (url.searchParams.get("token") !== TOKEN) return googleError(403, "PERMISSION_DENIED", "The caller does not have permission");
    const option = url.searchParams.get("messageReplyOption");
    if (option !== null && !REPLY_OPTIONS.has(option)) return googleError(400, "INVALID_ARGUMENT", `Invalid value at 'message_reply_option' (${option})`);
    if (Buffer.byteLength(request.body) > MESSAGE_BYTES_MAX) return googleError(400, "INVALID_ARGUMENT", "Message too large");
    const body = request.json as { text?: unknown; cardsV2?: Card[]; thread?: { threadKey?: unknown } } | undefined;
    if (!body || (typeof body.text !== "string" && !Array.isArray(body.cardsV2))) return googleError(400, "INVALID_ARGUMENT", "Message cannot be empty.");
    const problem = (body.cardsV2 ?? []).map(cardProblem).find((p) => p !== undefined);
    if (problem) return googleError(400, "INVALID_ARGUMENT", `Invalid JSON payload received. ${problem}`);

    const requestId = url.searchParams.get("requestId") ?? undefined;
    const earlier = requestId === undefined ? undefined : this.messages.find((m) => m.requestId === requestId);
    const message = earlier ?? this.#create(body, requestId, option);
    return { status: 200, body: { name: message.name, text: message.body.text, thread: { name: message.thread }, space: { name: `spaces/${SPACE}` } } };
  }

  #create(body: Record<string, unknown> & { thread?: { threadKey?: unknown } }, requestId: string | undefined, option: string | null): GoogleChatMessage {
    const name = `spaces/${SPACE}/messages/m${this.messages.length + 1}`;
    const key = body.thread?.threadKey;
    // A thread key starts or continues a thread only when a reply option asks for it; otherwise each message is its own.
    const threadKey = typeof key === "string" && option !== null && option !== "MESSAGE_REPLY_OPTION_UNSPECIFIED" ? key : undefined;
    const thread = `spaces/${SPACE}/threads/${threadKey === undefined ? `t${this.messages.length + 1}` : createHash("sha256").update(threadKey).digest("hex").slice(0, 12)}`;
    const message = { name, thread, ...(requestId === undefined ? {} : { requestId }), body };
    this.messages.push(message);
    return message;
  }
}
