import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const ID = "112233445566778899";
const TOKEN = "fakeDiscordToken";

interface Embed {
  title?: string;
  fields?: unknown[];
}

export interface DiscordMessage {
  readonly id: string;
  body: Record<string, unknown>;
  /** How many PATCHes changed it. */
  edits: number;
}

const problemOf = (message: { content?: string; embeds?: Embed[] } | undefined): Answer | undefined => {
  const embeds = message?.embeds ?? [];
  if (!message?.content && embeds.length === 0) return { status: 400, body: { message: "Cannot send an empty message", code: 50006 } };
  const tooBig = embeds.length > 10 || embeds.some((e) => (e.title?.length ?? 0) > 256 || (e.fields?.length ?? 0) > 25);
  return tooBig ? { status: 400, body: { message: "Invalid Form Body", code: 50035 } } : undefined;
};

/**
 * Discord channel webhook (https://discord.com/developers/docs/resources/webhook):
 * `POST /api/webhooks/{id}/{token}` → 204, or with `?wait=true` 200 and the
 * created message; `PATCH …/messages/{message.id}` edits a message the
 * webhook sent → 200 and the message, 404 (code 10008 Unknown Message) when
 * it was deleted. A wrong token → 401 (code 50027); embeds over Discord's
 * limits → 400 (code 50035).
 */
export class FakeDiscord extends FakeHttpServer {
  /** Messages in the channel, in the order posted. */
  readonly messages: DiscordMessage[] = [];

  get webhookUrl(): string {
    return `${this.baseUrl}/api/webhooks/${ID}/${TOKEN}`;
  }

  /** Someone deletes a message in Discord. */
  deleteMessage(id: string): void {
    const at = this.messages.findIndex((m) => m.id === id);
    if (at >= 0) this.messages.splice(at, 1);
  }

  override reset(): void {
    super.reset();
    this.messages.length = 0;
  }

  protected handle(request: RecordedRequest): Answer {
    const url = new URL(request.path, "http://fake");
    const match = /^\/api\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(url.pathname);
    if (!match) return { status: 404, body: { message: "404: Not Found", code: 0 } };
    if (match[1] !== ID || match[2] !== TOKEN) return { status: 401, body: { message: "Invalid Webhook Token", code: 50027 } };
    const body = request.json as Record<string, unknown> | undefined;
    const problem = problemOf(body);
    if (match[3] !== undefined) {
      if (request.method !== "PATCH") return { status: 405, body: { message: "405: Method Not Allowed", code: 0 } };
      const message = this.messages.find((m) => m.id === match[3]);
      if (!message) return { status: 404, body: { message: "Unknown Message", code: 10008 } };
      if (problem) return problem;
      message.body = { ...message.body, ...body };
      message.edits += 1;
      return { status: 200, body: { id: message.id, ...message.body } };
    }
    if (request.method !== "POST") return { status: 405, body: { message: "405: Method Not Allowed", code: 0 } };
    if (problem) return problem;
    const message: DiscordMessage = { id: String(1_200_000_000_000_000_000n + BigInt(this.messages.length + 1)), body: body ?? {}, edits: 0 };
    this.messages.push(message);
    return url.searchParams.get("wait") === "true" ? { status: 200, body: { id: message.id, webhook_id: ID, ...message.body } } : { status: 204 };
  }
}
