import { FakeHttpServer, type Answer, type RecordedRequest } from "../fake-chat/server";

const SEVERITIES = new Set(["critical", "error", "warning", "info"]);
const ACTIONS = new Set(["trigger", "acknowledge", "resolve"]);

export interface PagerDutyIncident {
  readonly dedupKey: string;
  status: "triggered" | "resolved";
  /** Triggers received while it was open: the first opened it, the rest were added to it. */
  alerts: number;
  summary: string;
}

interface EnqueueBody {
  routing_key?: unknown;
  event_action?: unknown;
  dedup_key?: unknown;
  payload?: { summary?: unknown; source?: unknown; severity?: unknown; timestamp?: unknown };
}

const invalid = (...errors: string[]): Answer => ({ status: 400, body: { status: "invalid event", message: "Event object is invalid", errors } });

/**
 * PagerDuty's Events API v2, `POST /v2/enqueue`
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
 * checks the event as the API does (routing key, action, dedup key of at
 * most 255 characters, a trigger's summary, source and severity) and
 * answers 202 `{status, message, dedup_key}` or 400 `invalid event`. It keeps
 * incidents by dedup key: a trigger opens one or adds an alert to the open
 * one, a resolve closes it, a resolve of an unknown key is accepted and
 * ignored.
 */
export class FakePagerDuty extends FakeHttpServer {
  readonly routingKey: string;
  readonly incidents = new Map<string, PagerDutyIncident>();

  constructor(routingKey = "R0FAKEPAGERDUTYROUTINGKEY0000001") {
    super();
    this.routingKey = routingKey;
  }

  /** Also forgets the incidents. */
  override reset(): void {
    super.reset();
    this.incidents.clear();
  }

  /** The events received, parsed, in order. */
  get events(): EnqueueBody[] {
    return this.requests.map((r) => r.json as EnqueueBody);
  }

  protected handle(request: RecordedRequest): Answer {
    if (request.method !== "POST" || request.path !== "/v2/enqueue") return { status: 404, body: { status: "not found" } };
    if (!String(request.headers["content-type"] ?? "").startsWith("application/json")) return { status: 400, body: "Content-Type must be application/json" };
    const event = request.json as EnqueueBody | undefined;
    if (!event || typeof event !== "object") return invalid("Event object is not JSON");
    if (event.routing_key !== this.routingKey) return invalid("Invalid routing key");
    if (typeof event.event_action !== "string" || !ACTIONS.has(event.event_action)) return invalid("'event_action' is invalid");
    if (event.dedup_key !== undefined && (typeof event.dedup_key !== "string" || event.dedup_key.length > 255)) return invalid("'dedup_key' is invalid");
    if (event.event_action !== "trigger" && typeof event.dedup_key !== "string") return invalid("'dedup_key' is required");
    const dedupKey = typeof event.dedup_key === "string" ? event.dedup_key : `generated-${this.requests.length}`;
    if (event.event_action === "trigger") {
      const errors = this.#payloadErrors(event.payload);
      if (errors.length > 0) return invalid(...errors);
      const open = this.incidents.get(dedupKey);
      if (open?.status === "triggered") open.alerts += 1;
      else this.incidents.set(dedupKey, { dedupKey, status: "triggered", alerts: 1, summary: String(event.payload!.summary) });
    } else if (event.event_action === "resolve") {
      const open = this.incidents.get(dedupKey);
      if (open) open.status = "resolved";
    }
    return { status: 202, body: { status: "success", message: "Event processed", dedup_key: dedupKey } };
  }

  #payloadErrors(payload: EnqueueBody["payload"]): string[] {
    if (!payload || typeof payload !== "object") return ["'payload' is missing or blank"];
    const errors: string[] = [];
    if (typeof payload.summary !== "string" || payload.summary.length === 0) errors.push("'payload.summary' is missing or blank");
    else if (payload.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
    if (typeof payload.source !== "string" || payload.source.length === 0) errors.push("'payload.source' is missing or blank");
    if (typeof payload.severity !== "string" || !SEVERITIES.has(payload.severity)) errors.push("'payload.severity' is invalid (expected one of: critical, error, warning, info)");
    if (payload.timestamp !== undefined && !Number.isFinite(Date.parse(String(payload.timestamp)))) errors.push("'payload.timestamp' is not ISO 8601");
    return errors;
  }
}
