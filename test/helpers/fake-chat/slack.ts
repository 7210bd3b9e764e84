import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const PATH = "/services/T0000FAKE/B0000FAKE/fakeSlackToken";

/**
 * Slack incoming webhook: `POST` JSON → 200 `ok`; like Slack it answers 400
 * with a plain-text code for a body it cannot use (api.slack.com/messaging/webhooks#handling_errors).
 */
export class FakeSlack extends FakeHttpServer {
  get webhookUrl(): string {
    return `${this.baseUrl}${PATH}`;
  }

  protected handle(request: RecordedRequest): Answer {
    if (request.method !== "POST" || request.path !== PATH) return { status: 404, body: "no_service" };
    const message = request.json as { text?: unknown; blocks?: unknown } | undefined;
    if (!message || typeof message !== "object") return { status: 400, body: "invalid_payload" };
    if (typeof message.text !== "string" && !Array.isArray(message.blocks)) return { status: 400, body: "no_text" };
    const blocks = (message.blocks ?? []) as { type?: string; text?: { text?: string } }[];
    const header = blocks.find((b) => b.type === "header");
    if (blocks.length > 50 || (header?.text?.text?.length ?? 0) > 150) return { status: 400, body: "invalid_blocks" };
    return { status: 200, body: "ok" };
  }
}
