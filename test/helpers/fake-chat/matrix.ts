import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const SEND = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/m\.room\.message\/([^/?]+)$/;
const EVENT = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/event\/([^/?]+)$/;
const SENDER = "@kube-feedback:matrix.test";

export interface MatrixMessage {
  readonly roomId: string;
  readonly txnId: string;
  readonly eventId: string;
  readonly content: Record<string, unknown>;
}

/**
 * A Matrix homeserver's `PUT /rooms/{roomId}/send/m.room.message/{txnId}`:
 * checks the bearer token and room membership, and — like the spec asks —
 * answers a repeated transaction id with the first event id without storing
 * a second message. `GET /rooms/{roomId}/event/{eventId}` answers an event
 * (a redacted one with empty content and `unsigned.redacted_because`, an
 * unknown one 404 M_NOT_FOUND). Edits (`m.relates_to.rel_type: m.replace`)
 * are stored like any event, as a homeserver does; `shown()` is what a
 * client renders (https://spec.matrix.org/latest/client-server-api/#event-replacements).
 */
export class FakeMatrix extends FakeHttpServer {
  readonly token: string;
  readonly roomId: string;
  /** Every transaction id received, repeats included. */
  readonly txnIds: string[] = [];
  /** Messages actually stored in the room (one per distinct transaction), edits included. */
  readonly messages: MatrixMessage[] = [];
  readonly #byTxn = new Map<string, string>();
  readonly #redacted = new Set<string>();

  constructor(options: { token?: string; roomId?: string } = {}) {
    super();
    this.token = options.token ?? "syt_ZmFrZQ_fakeMatrixToken";
    this.roomId = options.roomId ?? "!ci:matrix.test";
  }

  /** Also forgets the room's messages and the transactions seen. */
  override reset(): void {
    super.reset();
    this.txnIds.length = 0;
    this.messages.length = 0;
    this.#byTxn.clear();
    this.#redacted.clear();
  }

  /** Someone redacts (deletes) an event. */
  redact(eventId: string): void {
    this.#redacted.add(eventId);
  }

  /**
   * The messages a client shows: events that are not edits and not
   * redacted, each with the content of its latest valid edit (same sender,
   * `m.new_content`, not an edit of an edit).
   */
  shown(): { eventId: string; content: Record<string, unknown> }[] {
    const relation = (m: MatrixMessage) => m.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined;
    return this.messages
      .filter((m) => relation(m)?.rel_type !== "m.replace" && !this.#redacted.has(m.eventId))
      .map((original) => {
        const edits = this.messages.filter((m) => relation(m)?.rel_type === "m.replace" && relation(m)?.event_id === original.eventId);
        const latest = edits.at(-1)?.content["m.new_content"] as Record<string, unknown> | undefined;
        return { eventId: original.eventId, content: latest ?? original.content };
      });
  }

  get homeserverUrl(): string {
    return this.baseUrl;
  }

  protected handle(request: RecordedRequest): Answer {
    const auth = request.headers.authorization;
    const read = EVENT.exec(request.path);
    if (read && request.method === "GET") {
      if (auth !== `Bearer ${this.token}`) return { status: 401, body: { errcode: "M_UNKNOWN_TOKEN", error: "Unknown access token" } };
      return this.#event(decodeURIComponent(read[1]!), decodeURIComponent(read[2]!));
    }
    const match = SEND.exec(request.path);
    if (!match) return { status: 404, body: { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" } };
    if (request.method !== "PUT") return { status: 405, body: { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" } };
    if (!auth) return { status: 401, body: { errcode: "M_MISSING_TOKEN", error: "Missing access token" } };
    if (auth !== `Bearer ${this.token}`) return { status: 401, body: { errcode: "M_UNKNOWN_TOKEN", error: "Unknown access token" } };
    const roomId = decodeURIComponent(match[1]!);
    const txnId = decodeURIComponent(match[2]!);
    this.txnIds.push(txnId);
    if (roomId !== this.roomId) return { status: 403, body: { errcode: "M_FORBIDDEN", error: "User not in room" } };
    const content = request.json as Record<string, unknown> | undefined;
    if (!content || typeof content.msgtype !== "string" || typeof content.body !== "string") {
      return { status: 400, body: { errcode: "M_BAD_JSON", error: "msgtype and body are required" } };
    }
    let eventId = this.#byTxn.get(txnId);
    if (!eventId) {
      eventId = `$event${this.messages.length + 1}`;
      this.#byTxn.set(txnId, eventId);
      this.messages.push({ roomId, txnId, eventId, content });
    }
    return { status: 200, body: { event_id: eventId } };
  }

  /** https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomideventeventid */
  #event(roomId: string, eventId: string): Answer {
    const message = this.messages.find((m) => m.roomId === roomId && m.eventId === eventId);
    if (!message) return { status: 404, body: { errcode: "M_NOT_FOUND", error: "Event not found." } };
    const redacted = this.#redacted.has(eventId);
    return {
      status: 200,
      body: {
        event_id: eventId,
        room_id: roomId,
        type: "m.room.message",
        sender: SENDER,
        origin_server_ts: 1_700_000_000_000,
        content: redacted ? {} : message.content,
        unsigned: redacted ? { redacted_because: { type: "m.room.redaction", sender: "@admin:matrix.test", redacts: eventId } } : {},
      },
    };
  }
}
