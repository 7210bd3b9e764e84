/**
 * Matrix's one message per run: the first callback sends an
 * `m.room.message`, later ones send an edit of it, an event that replaces
 * the original's content (https://spec.matrix.org/latest/client-server-api/#event-replacements):
 * the new content in `m.new_content`, `m.relates_to: { rel_type: "m.replace",
 * event_id }`, and a `* `-prefixed copy in the event itself for clients
 * that do not render edits.
 *
 * A homeserver accepts an edit of a redacted (deleted) message, and clients
 * then show nothing ("Redacting the original message in effect removes the
 * message, including all subsequent edits"), so before an edit the original
 * is read (`GET /rooms/{roomId}/event/{eventId}`, which the message rate
 * limit does not count): redacted or not found, it is sent anew.
 *
 * Every send carries a transaction id derived from the run, the callback
 * and what it does, so a retry after a lost answer is the same transaction
 * and the homeserver answers it with the first event instead of a second one.
 */
import { createHash } from "node:crypto";
import type { PipelineInfo } from "../pipeline/types";
import type { LifecycleEvent } from "../pipeline/receiver";
import { ReceiverError, ReceiverTargetGoneError } from "./errors";
import type { MessageRef, MessageWriter } from "./run-message";
import { deliveryId, sendJson, type SendOptions } from "./webhook";

export interface MatrixRoom {
  /** Client-server API base without a trailing slash. */
  readonly base: string;
  readonly roomId: string;
  readonly send: SendOptions;
}

export interface MatrixContent {
  readonly msgtype: string;
  readonly body: string;
  readonly format: string;
  readonly formatted_body: string;
}

/** The replacement event's content for `eventId`. */
export const matrixEdit = (content: MatrixContent, eventId: string) => ({
  msgtype: content.msgtype,
  body: `* ${content.body}`,
  format: content.format,
  formatted_body: `* ${content.formatted_body}`,
  "m.new_content": content,
  "m.relates_to": { rel_type: "m.replace", event_id: eventId },
});

const roomUrl = (room: MatrixRoom, path: string): string => `${room.base}/_matrix/client/v3/rooms/${encodeURIComponent(room.roomId)}/${path}`;

const hashed = (parts: readonly string[]): string => createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);

/**
 * The transaction of a send: a first post keeps the id of before edits
 * (`kf-<delivery id>`); an edit and a post that replaces a deleted message
 * are other transactions of the same callback.
 */
export const transactionId = (info: PipelineInfo, event: LifecycleEvent, action: "post" | "edit" | "repost" = "post", eventId = ""): string =>
  action === "post" ? `kf-${deliveryId(info, event)}` : `kf-${hashed([deliveryId(info, event), action, eventId])}`;

const sendEvent = async (room: MatrixRoom, txnId: string, content: unknown): Promise<string> => {
  const text = await sendJson("matrix", roomUrl(room, `send/m.room.message/${encodeURIComponent(txnId)}`), JSON.stringify(content), { ...room.send, method: "PUT" });
  let eventId: unknown;
  try {
    eventId = (JSON.parse(text) as { event_id?: unknown }).event_id;
  } catch {
    eventId = undefined;
  }
  if (typeof eventId !== "string" || eventId === "") throw new ReceiverError(`matrix ${new URL(room.base).host} answered the send without an event_id`);
  return eventId;
};

/** Throws ReceiverTargetGoneError when the event is redacted or the homeserver does not have it (404 M_NOT_FOUND). */
const ensurePresent = async (room: MatrixRoom, eventId: string): Promise<void> => {
  const text = await sendJson("matrix", roomUrl(room, `event/${encodeURIComponent(eventId)}`), undefined, { ...room.send, method: "GET", gone: [404] });
  let event: { content?: Record<string, unknown>; unsigned?: { redacted_because?: unknown } } = {};
  try {
    event = JSON.parse(text) as typeof event;
  } catch {
    return;
  }
  // A redacted event keeps no content keys and says why in `unsigned.redacted_because`.
  if (event.unsigned?.redacted_because !== undefined || Object.keys(event.content ?? {}).length === 0) {
    throw new ReceiverTargetGoneError(`matrix ${new URL(room.base).host} says ${eventId} was redacted`, 200);
  }
};

/** Sends and edits one run's message in `room`. */
export const matrixWriter = (room: MatrixRoom, content: MatrixContent, info: PipelineInfo, event: LifecycleEvent): MessageWriter => ({
  post: async (lost: MessageRef | undefined) => {
    const txnId = lost ? transactionId(info, event, "repost", lost.eventId) : transactionId(info, event);
    return { eventId: await sendEvent(room, txnId, content) };
  },
  edit: async (ref: MessageRef) => {
    const eventId = ref.eventId!;
    await ensurePresent(room, eventId);
    await sendEvent(room, transactionId(info, event, "edit", eventId), matrixEdit(content, eventId));
  },
});
