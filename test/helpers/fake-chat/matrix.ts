import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const SEND = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/m\.room\.message\/([^/?]+)$/;

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
 * a second message.
 */
export class FakeMatrix extends FakeHttpServer {
  readonly token: string;
  readonly roomId: string;
  /** Every transaction id received, repeats included. */
  readonly txnIds: string[] = [];
  /** Messages actually stored in the room (one per distinct transaction). */
  readonly messages: MatrixMessage[] = [];
  readonly #byTxn = new Map<string, string>();

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
  }

  get homeserverUrl(): string {
    return this.baseUrl;
  }

  protected handle(request: RecordedRequest): Answer {
    const match = SEND.exec(request.path);
    if (!match) return { status: 404, body: { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" } };
    if (request.method !== "PUT") return { status: 405, body: { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" } };
    const auth = request.headers.authorization;
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
}
