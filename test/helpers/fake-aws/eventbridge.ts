import { randomUUID } from "node:crypto";
import { FakeHttpServer, type Answer, type RecordedRequest } from "../fake-chat/server";

/** An event the fake accepted, as a rule on the bus would see it. */
export interface PutEvent {
  readonly id: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

interface RequestEntry {
  EventBusName?: unknown;
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
}

interface ResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

const JSON_1_1 = "application/x-amz-json-1.1";

/**
 * Amazon EventBridge `PutEvents` over the AWS JSON 1.1 protocol
 * (`POST /`, `X-Amz-Target: AWSEvents.PutEvents`,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html):
 * 1 to 10 entries; an entry without source, detail type or a JSON-object
 * detail is refused in the 200 answer with `MalformedDetail` /
 * `InvalidArgument` and counted in `FailedEntryCount`, as EventBridge does.
 * `failNextEntries` makes entries fail the same way on demand (throttled,
 * internal failure); `answerNext` scripts a whole answer (a 400
 * `ThrottlingException`, a 500 `InternalException`).
 */
export class FakeEventBridge extends FakeHttpServer {
  readonly events: PutEvent[] = [];
  #entryFailures: ResultEntry[] = [];

  /** The next `times` entries are refused with `code` inside a 200 answer. */
  failNextEntries(code: string, message: string, times = 1): this {
    for (let i = 0; i < times; i++) this.#entryFailures.push({ ErrorCode: code, ErrorMessage: message });
    return this;
  }

  override reset(): void {
    super.reset();
    this.events.length = 0;
    this.#entryFailures = [];
  }

  /** PutEvents calls received, whatever their answer. */
  get putEventsCalls(): RecordedRequest[] {
    return this.requests.filter((r) => r.headers["x-amz-target"] === "AWSEvents.PutEvents");
  }

  protected handle(request: RecordedRequest): Answer {
    if (request.method !== "POST" || request.headers["x-amz-target"] !== "AWSEvents.PutEvents") {
      return awsJsonError(400, "UnknownOperationException", "operation not supported by the fake");
    }
    const entries = (request.json as { Entries?: unknown } | undefined)?.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      return awsJsonError(400, "ValidationException", "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10");
    }
    const results = (entries as RequestEntry[]).map((entry) => this.#put(entry));
    return {
      status: 200,
      headers: { "content-type": JSON_1_1 },
      body: { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results },
    };
  }

  #put(entry: RequestEntry): ResultEntry {
    const scripted = this.#entryFailures.shift();
    if (scripted) return scripted;
    if (typeof entry.Source !== "string" || typeof entry.DetailType !== "string" || entry.Source === "" || entry.DetailType === "") {
      return { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter(s) Source, DetailType could not be found for the event." };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(String(entry.Detail));
    } catch {
      detail = undefined;
    }
    if (!detail || typeof detail !== "object" || Array.isArray(detail)) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    const id = randomUUID();
    const eventBusName = typeof entry.EventBusName === "string" && entry.EventBusName !== "" ? entry.EventBusName : "default";
    this.events.push({ id, eventBusName, source: entry.Source, detailType: entry.DetailType, detail: detail as Record<string, unknown> });
    return { EventId: id };
  }
}

/** An AWS JSON 1.1 error answer: the SDK reads the error's name from `__type`. */
export const awsJsonError = (status: number, type: string, message: string, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { "content-type": JSON_1_1, ...headers },
  body: { __type: type, message },
});
