import { parseArgs } from "node:util";
import { DeleteMessageBatchCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DlqReader, type DlqMessage } from "./dlq";
import { RedriveError } from "./errors";
import { dlqQueues, parsePositiveInt, setting, sqsClientConfig, type OpsIo } from "./options";
import { Progress } from "./progress";

export const DLQ_REDRIVE_USAGE = `usage: kube-feedback dlq redrive [options]

Moves dead-lettered messages back to the main queue (all, or those named with
--id), in order per object, then deletes them from the DLQ. Fix the cause
first: a message that fails again goes back to the DLQ.

options:
  --id ID            redrive only this message (the id \`dlq list\` shows, or the
                     DLQ's own message id); repeatable
  --operations       the relay operations' DLQ (kubernetes.via: relay), back to
                     the operations queue, instead of the events' queues
  --queue-url URL    the main queue (default: QUEUE_URL; OPERATIONS_QUEUE_URL with --operations)
  --dlq-url URL      the DLQ (default: DLQ_URL; OPERATIONS_DLQ_URL with --operations)
  --visibility S     seconds a message stays hidden if the command dies (default 60)
  --region R         AWS region (default: the SDK's own settings, else the URL's)
`;

/**
 * A new deduplication id per DLQ message: the original one would be
 * swallowed by FIFO deduplication if the event was sent in the last five
 * minutes, while a rerun after a crash between send and delete reuses this
 * one and is dropped as the duplicate it is.
 */
export const redriveDeduplicationId = (dlqMessageId: string): string => `redrive-${dlqMessageId}`.slice(0, 128);

/** The FIFO group: the one the message had (cluster/uid), else one of its own. */
const groupOf = (m: DlqMessage): string =>
  m.groupId ?? (m.object?.cluster && m.object.uid ? `${m.object.cluster}/${m.object.uid}` : m.messageId);

interface BatchOutcome {
  moved: DlqMessage[];
  /** Main-queue message ids of what was sent. */
  sentIds: string[];
  failed: Array<{ message: DlqMessage; reason: string }>;
}

/**
 * SQS's own redrive (StartMessageMoveTask) moves everything at once and
 * cannot pick messages; emulators do not implement it either. This sends
 * and deletes in batches of ten, and deletes only what the queue accepted.
 */
const moveBatch = async (sqs: SQSClient, queueUrl: string, dlqUrl: string, batch: DlqMessage[]): Promise<BatchOutcome> => {
  const fifo = queueUrl.endsWith(".fifo");
  const sent = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: batch.map((m, i) => ({
        Id: String(i),
        MessageBody: m.body,
        ...(fifo ? { MessageGroupId: groupOf(m), MessageDeduplicationId: redriveDeduplicationId(m.messageId) } : {}),
      })),
    }),
  );
  const failed = (sent.Failed ?? []).map((f) => ({ message: batch[Number(f.Id)]!, reason: f.Message ?? f.Code ?? "refused" }));
  const ok = (sent.Successful ?? []).map((s) => batch[Number(s.Id)]!);
  const sentIds = (sent.Successful ?? []).map((s) => s.MessageId ?? "");
  if (ok.length === 0) return { moved: [], sentIds, failed };
  const deleted = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: dlqUrl,
      Entries: ok.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
    }),
  );
  const notDeleted = new Set((deleted.Failed ?? []).map((f) => Number(f.Id)));
  // Sent but still in the DLQ: a second redrive sends it again with the same
  // deduplication id, which the queue drops within five minutes.
  for (const i of notDeleted) failed.push({ message: ok[i]!, reason: "sent, but could not be deleted from the DLQ" });
  return { moved: ok.filter((_, i) => !notDeleted.has(i)), sentIds, failed };
};

/** `kube-feedback dlq redrive`: returns the exit code. */
export const runDlqRedrive = async (argv: string[], io: OpsIo): Promise<number> => {
  const { values } = parseArgs({
    args: argv,
    options: {
      id: { type: "string", multiple: true },
      operations: { type: "boolean" },
      "queue-url": { type: "string" },
      "dlq-url": { type: "string" },
      visibility: { type: "string" },
      region: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(DLQ_REDRIVE_USAGE);
    return 0;
  }
  const queues = dlqQueues(values.operations);
  const queueUrl = setting(io, "queue-url", values["queue-url"], queues.queue, `${queues.queueName} URL`);
  const dlqUrl = setting(io, "dlq-url", values["dlq-url"], queues.dlq, `${queues.dlqName} URL`);
  const visibility = parsePositiveInt("visibility", values.visibility, 60);
  const wanted = values.id && values.id.length > 0 ? new Set(values.id) : undefined;
  const sqs = new SQSClient(sqsClientConfig(io, values.region, dlqUrl));
  const reader = new DlqReader(sqs, dlqUrl, visibility);
  const found = new Set<string>();
  // A message redriven by this run that fails again is back in the DLQ before
  // the run ends; sending it again would loop for as long as the cause lasts.
  const sentIds = new Set<string>();
  let cameBack = 0;
  const held: DlqMessage[] = [];
  const failures: Array<{ message: DlqMessage; reason: string }> = [];
  try {
    const progress = new Progress(io, "redriven", wanted ? wanted.size : (await reader.depth()).visible);
    for await (const batch of reader.batches()) {
      const chosen: DlqMessage[] = [];
      for (const m of batch) {
        const ids = [m.messageId, m.originalMessageId].filter((id): id is string => !!id);
        if (ids.some((id) => sentIds.has(id))) {
          cameBack++;
          held.push(m);
          continue;
        }
        const match = wanted ? ids.find((id) => wanted.has(id)) : m.messageId;
        if (match === undefined) held.push(m);
        else {
          chosen.push(m);
          found.add(match);
        }
      }
      if (chosen.length > 0) {
        const outcome = await moveBatch(sqs, queueUrl, dlqUrl, chosen);
        failures.push(...outcome.failed);
        for (const id of outcome.sentIds) sentIds.add(id);
        held.push(...outcome.failed.map((f) => f.message));
        progress.step(outcome.moved.length);
      }
      // Every id asked for was seen: the rest of the DLQ need not be read.
      if (wanted && found.size === wanted.size) break;
    }
    progress.finish();
    const missing = wanted ? [...wanted].filter((id) => !found.has(id)) : [];
    if (cameBack > 0) io.err(`${cameBack} redriven message${cameBack === 1 ? "" : "s"} failed again and ${cameBack === 1 ? "is" : "are"} back in the DLQ\n`);
    for (const f of failures) io.err(`not redriven ${f.message.originalMessageId ?? f.message.messageId}: ${f.reason}\n`);
    if (missing.length > 0) {
      io.err(
        `not found in the DLQ: ${missing.join(", ")} (a message behind another one of the same object is reached only after that one is redriven)\n`,
      );
    }
    io.out(`redriven ${progress.done} message${progress.done === 1 ? "" : "s"} to ${queueUrl.split("/").pop()}\n`);
    if (failures.length > 0) throw new RedriveError(`${failures.length} messages were not redriven and stay in the DLQ`, failures.length);
    return missing.length > 0 ? 1 : 0;
  } finally {
    await reader.release(held);
    sqs.destroy();
  }
};
