import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { InvalidOperationError } from "../../shared/operations/errors";
import { describeOperation, validateOperation } from "../../shared/operations/operation";

/** Shown for a message SQS moved itself (maxReceiveCount) rather than the process function. */
export const SQS_MOVED_REASON = "max receives reached (moved by SQS)";

// SQS short polling samples a subset of servers and may answer empty while
// messages exist; one long poll this long settles it.
const LONG_POLL_SECONDS = 1;

/** The object an envelope is about, read leniently: a malformed body still shows what it has. */
export interface ObjectRef {
  cluster?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  /** An operation for a relay (its DLQ's messages): what it asked, as the relay's log lines say it. */
  operation?: string;
}

/** One DLQ message with the attributes the process function put on it. */
export interface DlqMessage {
  /** The DLQ's own message id. */
  messageId: string;
  receiptHandle: string;
  body: string;
  groupId?: string;
  /** When it entered the DLQ (SQS SentTimestamp), epoch ms. */
  sentAt?: number;
  reason: string;
  status?: string;
  error?: string;
  /** The id the message had on the main queue, as the process logs show it. */
  originalMessageId?: string;
  receiveCount?: string;
  object?: ObjectRef;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** The fields that are non-empty strings. */
const pickText = (fields: ReadonlyArray<readonly [keyof ObjectRef, unknown]>): ObjectRef => {
  const ref: ObjectRef = {};
  for (const [key, v] of fields) {
    const t = text(v);
    if (t) ref[key] = t;
  }
  return ref;
};

/** An operations queue message (shared/operations/operation.ts): flat, with `op` where an envelope has `kind`. */
const operationRef = (value: Record<string, unknown>, op: string): ObjectRef => {
  const ref = pickText([
    ["cluster", value.cluster],
    ["namespace", value.namespace],
    ["name", value.name],
    ["uid", value.uid],
  ]);
  try {
    ref.operation = describeOperation(validateOperation(value));
  } catch (error) {
    if (!(error instanceof InvalidOperationError)) throw error;
    ref.operation = `${op} (invalid: ${error.path ? `${error.path}: ` : ""}${error.reason})`;
  }
  return ref;
};

export const objectOf = (body: string): ObjectRef | undefined => {
  let value: { cluster?: unknown; kind?: unknown; op?: unknown; object?: { metadata?: Record<string, unknown> } };
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== "object") return undefined;
  if (typeof value.op === "string" && value.op !== "") return operationRef(value as Record<string, unknown>, value.op);
  const meta = value.object?.metadata && typeof value.object.metadata === "object" ? value.object.metadata : {};
  const ref = pickText([
    ["cluster", value.cluster],
    ["kind", value.kind],
    ["namespace", meta.namespace],
    ["name", meta.name],
    ["uid", meta.uid],
  ]);
  return Object.keys(ref).length > 0 ? ref : undefined;
};

export const describeObject = (ref: ObjectRef | undefined): string => {
  if (ref?.operation) return ref.operation;
  if (!ref?.name) return "-";
  return `${ref.kind ?? "?"} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
};

export const toDlqMessage = (m: Message): DlqMessage => {
  const attr = (name: string) => text(m.MessageAttributes?.[name]?.StringValue);
  // "-" is how the process function writes an empty attribute.
  const error = attr("error");
  const sent = Number(m.Attributes?.SentTimestamp);
  const object = objectOf(m.Body ?? "");
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    reason: attr("reason") ?? SQS_MOVED_REASON,
    ...(m.Attributes?.MessageGroupId ? { groupId: m.Attributes.MessageGroupId } : {}),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: sent } : {}),
    ...(attr("status") ? { status: attr("status") } : {}),
    ...(error && error !== "-" ? { error } : {}),
    ...(attr("originalMessageId") ? { originalMessageId: attr("originalMessageId") } : {}),
    ...(attr("receiveCount") ? { receiveCount: attr("receiveCount") } : {}),
    ...(object ? { object } : {}),
  };
};

export interface QueueDepth {
  visible: number;
  inFlight: number;
}

/**
 * Reads a DLQ without consuming it. SQS has no peek: a received message is
 * hidden for its visibility timeout. The reader holds what it received for
 * the duration of the command and hands it back with a visibility of 0 —
 * either way nothing is deleted unless the caller deletes it, and a crash
 * leaves messages hidden for `visibilitySeconds` at most.
 *
 * FIFO: SQS hands out a message group in order and not past a message in
 * flight, so while a message is held, the ones behind it in its group
 * (later events of the same object) cannot be read.
 */
export class DlqReader {
  readonly #sqs: SQSClient;
  readonly #url: string;
  readonly #visibilitySeconds: number;

  constructor(sqs: SQSClient, url: string, visibilitySeconds: number) {
    this.#sqs = sqs;
    this.#url = url;
    this.#visibilitySeconds = visibilitySeconds;
  }

  async depth(): Promise<QueueDepth> {
    const { Attributes = {} } = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  /** Batches of messages not seen before, until the queue has nothing more to hand out. */
  async *batches(): AsyncGenerator<DlqMessage[]> {
    const seen = new Set<string>();
    for (;;) {
      let messages = await this.#receive(0);
      if (messages.length === 0) {
        if ((await this.depth()).visible === 0) return;
        messages = await this.#receive(LONG_POLL_SECONDS);
        if (messages.length === 0) return;
      }
      // A message seen twice came back because the command outlived its
      // visibility: everything reachable has been read.
      const again = messages.filter((m) => seen.has(m.messageId));
      await this.release(again);
      const fresh = messages.filter((m) => !seen.has(m.messageId));
      if (fresh.length === 0) return;
      for (const m of fresh) seen.add(m.messageId);
      yield fresh;
    }
  }

  /** Makes held messages visible again at once. Returns how many SQS refused. */
  async release(messages: readonly DlqMessage[]): Promise<number> {
    let failed = 0;
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const { Failed = [] } = await this.#sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.#url,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 })),
        }),
      );
      failed += Failed.length;
    }
    return failed;
  }

  async #receive(waitSeconds: number): Promise<DlqMessage[]> {
    const { Messages = [] } = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: this.#visibilitySeconds,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    return Messages.map(toDlqMessage);
  }
}
