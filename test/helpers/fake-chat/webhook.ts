import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

/** A generic webhook endpoint: answers 200 to any POST on `/hook`, records bodies and headers. */
export class FakeWebhook extends FakeHttpServer {
  get url(): string {
    return `${this.baseUrl}/hook`;
  }

  protected handle(request: RecordedRequest): Answer {
    if (request.method !== "POST" || !request.path.startsWith("/hook")) return { status: 404, body: "not found" };
    return { status: 200, body: "ok" };
  }
}
