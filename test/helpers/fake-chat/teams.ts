import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const PATH = "/workflows/fake/triggers/manual/paths/invoke";
const SIG = "fakeTeamsSignature";

/**
 * Teams incoming webhook (Workflows): `POST` a message with an Adaptive Card
 * attachment → 202 Accepted; a missing signature → 401; not a card → 400.
 */
export class FakeTeams extends FakeHttpServer {
  get webhookUrl(): string {
    return `${this.baseUrl}${PATH}?api-version=1&sig=${SIG}`;
  }

  protected handle(request: RecordedRequest): Answer {
    const url = new URL(request.path, "http://fake");
    if (request.method !== "POST" || url.pathname !== PATH) return { status: 404, body: { error: { code: "NotFound" } } };
    if (url.searchParams.get("sig") !== SIG) return { status: 401, body: { error: { code: "DirectApiAuthorizationRequired" } } };
    const message = request.json as { type?: unknown; attachments?: { contentType?: unknown; content?: { type?: unknown } }[] } | undefined;
    const card = message?.attachments?.[0];
    if (message?.type !== "message" || card?.contentType !== "application/vnd.microsoft.card.adaptive" || card.content?.type !== "AdaptiveCard") {
      return { status: 400, body: { error: { code: "InvalidRequestContent", message: "expected a message with an Adaptive Card attachment" } } };
    }
    return { status: 202 };
  }
}
