import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const ID = "112233445566778899";
const TOKEN = "fakeDiscordToken";

interface Embed {
  title?: string;
  fields?: unknown[];
}

/**
 * Discord channel webhook: `POST /api/webhooks/{id}/{token}` → 204; a wrong
 * token → 401 (code 50027); embeds over Discord's limits → 400 (code 50035).
 */
export class FakeDiscord extends FakeHttpServer {
  get webhookUrl(): string {
    return `${this.baseUrl}/api/webhooks/${ID}/${TOKEN}`;
  }

  protected handle(request: RecordedRequest): Answer {
    const match = /^\/api\/webhooks\/(\d+)\/([^/?]+)/.exec(request.path);
    if (request.method !== "POST" || !match) return { status: 404, body: { message: "404: Not Found", code: 0 } };
    if (match[1] !== ID || match[2] !== TOKEN) return { status: 401, body: { message: "Invalid Webhook Token", code: 50027 } };
    const message = request.json as { content?: string; embeds?: Embed[] } | undefined;
    const embeds = message?.embeds ?? [];
    if (!message?.content && embeds.length === 0) return { status: 400, body: { message: "Cannot send an empty message", code: 50006 } };
    const tooBig = embeds.length > 10 || embeds.some((e) => (e.title?.length ?? 0) > 256 || (e.fields?.length ?? 0) > 25);
    if (tooBig) return { status: 400, body: { message: "Invalid Form Body", code: 50035 } };
    return { status: 204 };
  }
}
