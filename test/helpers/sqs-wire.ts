import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { parseEnvelope, type Envelope } from "../../shared/envelope";
import type { QueueOps } from "../../shared/process/queue";

/** One SQS request as it went over the wire, and the HTTP status it got. */
export interface WireCall {
  /** The action named by the X-Amz-Target header, e.g. `ChangeMessageVisibility`. */
  action: string;
  /** The JSON body as sent. */
  body: Record<string, unknown>;
  statusCode: number | undefined;
}

interface WireRequest {
  headers: Record<string, string>;
  body?: unknown;
}

/** The AWS JSON protocol's body, which the SDK serialises to bytes (older versions: a string). */
const jsonBody = (body: unknown): Record<string, unknown> => {
  const text = typeof body === "string" ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : "{}";
  return JSON.parse(text) as Record<string, unknown>;
};

/**
 * Records every request `client` sends, read from the serialised HTTP
 * request after signing (SDK middleware at the end of the finalize step),
 * so a test sees what the emulator received, not what the caller meant.
 */
export const recordSqsWire = (client: SQSClient): WireCall[] => {
  const calls: WireCall[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as WireRequest;
      const result = await next(args);
      const target = Object.entries(request.headers).find(([name]) => name.toLowerCase() === "x-amz-target")?.[1] ?? "";
      calls.push({
        action: target.split(".").pop() ?? "",
        body: jsonBody(request.body),
        statusCode: (result.response as { statusCode?: number }).statusCode,
      });
      return result;
    },
    { step: "finalizeRequest", priority: "low", name: "recordSqsWire" },
  );
  return calls;
};

/**
 * QueueOps whose real implementation is plugged in after the local stack
 * started (the queue URLs exist only then), remembering which message each
 * receipt handle belonged to so wire calls can be traced to messages.
 */
export class DeferredQueueOps implements QueueOps {
  target: QueueOps | undefined;
  readonly #messageIds = new Map<string, string>();

  messageIdOf(receiptHandle: unknown): string | undefined {
    return typeof receiptHandle === "string" ? this.#messageIds.get(receiptHandle) : undefined;
  }

  delay(record: SQSRecord, seconds: number): Promise<void> {
    this.#messageIds.set(record.receiptHandle, record.messageId);
    return this.#ops().delay(record, seconds);
  }

  deadLetter(record: SQSRecord, reason: string, status: string, error: string | undefined): Promise<void> {
    this.#messageIds.set(record.receiptHandle, record.messageId);
    return this.#ops().deadLetter(record, reason, status, error);
  }

  #ops(): QueueOps {
    if (!this.target) throw new Error("DeferredQueueOps used before its target was set");
    return this.target;
  }
}

/** Receives (and deletes) envelopes until `count` came or `attempts` empty polls passed. */
export const receiveEnvelopes = async (sqs: SQSClient, queueUrl: string, count: number, attempts = 200): Promise<Envelope[]> => {
  const received: Envelope[] = [];
  for (let empty = 0; received.length < count && empty < attempts; ) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) {
      empty++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    received.push(...Messages.map((m) => parseEnvelope(m.Body ?? "")));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
  return received;
};

/** Drains a queue in the background over the real SDK, keeping every message with its attributes. */
export class QueueCollector {
  readonly messages: Message[] = [];
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  #running = true;
  readonly #loop: Promise<void>;

  constructor(queueUrl: string) {
    this.#sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    this.#queueUrl = queueUrl;
    this.#loop = this.#run();
  }

  /** The collected message that was `messageId` on the source queue (the DLQ's originalMessageId attribute). */
  fromOriginal(messageId: string): Message | undefined {
    return this.messages.find((m) => m.MessageAttributes?.originalMessageId?.StringValue === messageId);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#sqs.destroy();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const { Messages = [] } = await this.#sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) continue;
      this.messages.push(...Messages);
      await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
}
