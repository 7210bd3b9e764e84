import { randomUUID } from "node:crypto";
import { FakeHttpServer, type Answer, type RecordedRequest } from "../fake-chat/server";

export interface OpsgenieAlert {
  readonly id: string;
  readonly alias: string;
  status: "open" | "closed";
  /** Creates received while it was open: Opsgenie deduplicates them into this alert. */
  count: number;
  message: string;
  priority: string;
  tags: string[];
  details: Record<string, string>;
}

interface CreateBody {
  message?: unknown;
  alias?: unknown;
  description?: unknown;
  priority?: unknown;
  tags?: unknown;
  details?: unknown;
  entity?: unknown;
  source?: unknown;
}

const PRIORITIES = new Set(["P1", "P2", "P3", "P4", "P5"]);
const CLOSE = /^\/v2\/alerts\/([^/?]+)\/close$/;

const took = () => ({ took: 0.01, requestId: randomUUID() });
const unprocessable = (field: string, problem: string): Answer => ({
  status: 422,
  body: { message: "Request body is not processable. Please check the errors.", errors: { [field]: problem }, ...took() },
});

/**
 * Opsgenie's Alert API (https://docs.opsgenie.com/docs/alert-api):
 * `POST /v2/alerts` creates, `POST /v2/alerts/{identifier}/close` closes,
 * both with `Authorization: GenieKey <key>` and both answering 202
 * `{result, took, requestId}` as the real, asynchronous API does. The
 * identifier is an alert id unless `identifierType=alias` (or `tiny`) says
 * otherwise. Create checks the documented limits (message 130, alias 512,
 * description 15000, 20 tags, priority P1–P5, details of strings) with 422;
 * a create whose alias has an open alert counts on it. A close of an unknown
 * alert is accepted and changes nothing, as its request fails later.
 */
export class FakeOpsgenie extends FakeHttpServer {
  readonly apiKey: string;
  readonly alerts = new Map<string, OpsgenieAlert>();

  constructor(apiKey = "eb243592-faa2-4ba2-a551-1afdf565c889") {
    super();
    this.apiKey = apiKey;
  }

  override reset(): void {
    super.reset();
    this.alerts.clear();
  }

  protected handle(request: RecordedRequest): Answer {
    const url = new URL(request.path, "http://fake");
    if (request.method !== "POST") return { status: 405, body: { message: "Method not allowed", ...took() } };
    if (request.headers.authorization !== `GenieKey ${this.apiKey}`) return { status: 401, body: { message: "Could not authenticate", ...took() } };
    if (url.pathname === "/v2/alerts") return this.#create(request.json as CreateBody | undefined);
    const close = CLOSE.exec(url.pathname);
    if (close) return this.#close(decodeURIComponent(close[1]!), url.searchParams.get("identifierType") ?? "id");
    return { status: 404, body: { message: "Not found", ...took() } };
  }

  #create(body: CreateBody | undefined): Answer {
    if (!body || typeof body !== "object") return unprocessable("body", "Request body is not valid JSON.");
    if (typeof body.message !== "string" || body.message.trim() === "") return unprocessable("message", "Message can not be empty.");
    if (body.message.length > 130) return unprocessable("message", "Message can not be longer than 130 characters.");
    if (body.alias !== undefined && (typeof body.alias !== "string" || body.alias.length > 512)) return unprocessable("alias", "Alias can not be longer than 512 characters.");
    if (body.description !== undefined && (typeof body.description !== "string" || body.description.length > 15_000)) {
      return unprocessable("description", "Description can not be longer than 15000 characters.");
    }
    if (body.priority !== undefined && !PRIORITIES.has(String(body.priority))) return unprocessable("priority", "Priority should be one of P1, P2, P3, P4, P5.");
    const tags = body.tags ?? [];
    if (!Array.isArray(tags) || tags.length > 20 || tags.some((t) => typeof t !== "string" || t.length > 50)) return unprocessable("tags", "At most 20 tags of 50 characters.");
    const details = body.details ?? {};
    if (typeof details !== "object" || Object.values(details).some((v) => typeof v !== "string")) return unprocessable("details", "Details must be a map of strings.");
    const alias = typeof body.alias === "string" ? body.alias : randomUUID();
    const open = this.#openByAlias(alias);
    if (open) open.count += 1;
    else {
      const id = randomUUID();
      this.alerts.set(id, {
        id,
        alias,
        status: "open",
        count: 1,
        message: body.message,
        priority: String(body.priority ?? "P3"),
        tags: tags as string[],
        details: details as Record<string, string>,
      });
    }
    return { status: 202, body: { result: "Request will be processed", ...took() } };
  }

  #close(identifier: string, type: string): Answer {
    if (!["id", "alias", "tiny"].includes(type)) return unprocessable("identifierType", "Invalid identifier type.");
    const alert = type === "alias" ? this.#openByAlias(identifier) : this.alerts.get(identifier);
    if (alert) alert.status = "closed";
    return { status: 202, body: { result: "Request will be processed", ...took() } };
  }

  #openByAlias(alias: string): OpsgenieAlert | undefined {
    return [...this.alerts.values()].find((a) => a.alias === alias && a.status === "open");
  }
}
