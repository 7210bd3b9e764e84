import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { redactText } from "../../shared/log";
import { DlqReader, describeObject, type DlqMessage } from "./dlq";
import { age, cell, renderTable } from "./format";
import { dlqQueues, parsePositiveInt, setting, sqsClientConfig, type OpsIo } from "./options";

export const DLQ_LIST_USAGE = `usage: kube-feedback dlq list [options]

What is in the dead-letter queue: reason, object, last error, age. Nothing is
deleted: SQS has no peek, so messages are received with a short visibility
timeout and made visible again at once.

options:
  --operations       the relay operations' DLQ (kubernetes.via: relay) instead of
                     the events' one
  --dlq-url URL      the DLQ (default: DLQ_URL; OPERATIONS_DLQ_URL with --operations)
  --max N            read at most N messages (default 500)
  --visibility S     seconds a message stays hidden if the command dies (default 60)
  --region R         AWS region (default: the SDK's own settings, else the URL's)
  --json             print JSON instead of a table
`;

/** What `dlq list --json` prints per message (no receipt handle, no body). */
export interface ListedMessage {
  id: string;
  dlqMessageId: string;
  reason: string;
  status?: string;
  error?: string;
  cluster?: string;
  object: string;
  uid?: string;
  groupId?: string;
  sentAt?: string;
  receiveCount?: string;
}

const listed = (m: DlqMessage): ListedMessage => ({
  id: m.originalMessageId ?? m.messageId,
  dlqMessageId: m.messageId,
  reason: m.reason,
  ...(m.status ? { status: m.status } : {}),
  // Written by another process: registered secrets are unknown here, known shapes are still masked.
  ...(m.error ? { error: redactText(m.error) } : {}),
  ...(m.object?.cluster ? { cluster: m.object.cluster } : {}),
  object: describeObject(m.object),
  ...(m.object?.uid ? { uid: m.object.uid } : {}),
  ...(m.groupId ? { groupId: m.groupId } : {}),
  ...(m.sentAt ? { sentAt: new Date(m.sentAt).toISOString() } : {}),
  ...(m.receiveCount ? { receiveCount: m.receiveCount } : {}),
});

/** `kube-feedback dlq list`: returns the exit code. */
export const runDlqList = async (argv: string[], io: OpsIo): Promise<number> => {
  const { values } = parseArgs({
    args: argv,
    options: {
      operations: { type: "boolean" },
      "dlq-url": { type: "string" },
      max: { type: "string" },
      visibility: { type: "string" },
      region: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(DLQ_LIST_USAGE);
    return 0;
  }
  const queues = dlqQueues(values.operations);
  const dlqUrl = setting(io, "dlq-url", values["dlq-url"], queues.dlq, `${queues.dlqName} URL`);
  const max = parsePositiveInt("max", values.max, 500);
  const visibility = parsePositiveInt("visibility", values.visibility, 60);
  const now = io.now?.() ?? Date.now();
  const sqs = new SQSClient(sqsClientConfig(io, values.region, dlqUrl));
  const reader = new DlqReader(sqs, dlqUrl, visibility);
  const held: DlqMessage[] = [];
  let hidden = 0;
  let truncated = false;
  try {
    for await (const batch of reader.batches()) {
      held.push(...batch);
      if (held.length >= 50) io.err(`${io.isTTY ? "\r" : ""}read ${held.length}${io.isTTY ? "" : "\n"}`);
      if (held.length >= max) {
        truncated = true;
        break;
      }
    }
    if (held.length >= 50 && io.isTTY) io.err("\n");
    // Everything reachable is held by us now: what is still visible sits behind a held message of its group.
    hidden = (await reader.depth()).visible;
  } finally {
    const refused = await reader.release(held);
    if (refused > 0) io.err(`warning: ${refused} messages could not be made visible again; they return after ${visibility}s\n`);
    sqs.destroy();
  }

  const messages = held.slice(0, max).map(listed);
  if (values.json) {
    io.out(`${JSON.stringify(messages, null, 2)}\n`);
    return 0;
  }
  if (messages.length === 0 && hidden === 0) {
    io.out("the DLQ is empty\n");
    return 0;
  }
  const rows = messages.map((m) => [
    m.id,
    cell(m.reason, 40),
    m.cluster ?? "-",
    m.object,
    m.sentAt ? age(Date.parse(m.sentAt), now) : "-",
    m.receiveCount ?? "-",
    cell(m.error, 80),
  ]);
  io.out(renderTable(["ID", "REASON", "CLUSTER", "OBJECT", "AGE", "RECEIVES", "LAST ERROR"], rows));
  io.out(`\n${messages.length} messages`);
  if (truncated) io.out(`; more not shown (--max ${max})`);
  else if (hidden > 0) {
    io.out(`; ${hidden} more behind them (FIFO hands out an object's messages in order: redrive the first to reach the next)`);
  }
  io.out("\n");
  return 0;
};
