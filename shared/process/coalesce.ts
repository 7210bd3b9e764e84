/**
 * Coalescing within a batch. A FIFO batch often holds several versions of
 * one object: SQS returns as many messages of one message group as it can
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html),
 * and a run's events share one group. Where a route's handler folds an
 * object's versions by rank (the pipeline handler: the phase only moves up,
 * stages merge by name, and the newest status carries every stage the older
 * ones did), the newest version stands for the older ones: only it is
 * handled, and the older ones are acknowledged without a call, so a run
 * whose created, started and finished versions arrive together is posted
 * once, in its final state.
 *
 * Why acknowledging them is safe when the newest fails: the newest comes
 * back (the processor's skipGroupOnError holds its group's later messages
 * with it) and still covers them; one that ends in the DLQ covers them when
 * it is redriven. What is never coalesced:
 * - a DELETED event: it is handled as it is, and versions before it are not
 *   superseded by anything after it (a deleted TaskRun is skipped, so its
 *   last version must be handled on its own);
 * - versions whose order the batch may not show: the newest must carry the
 *   highest resourceVersion of them all, compared only when every one is a
 *   decimal number (what etcd-backed API servers hand out); otherwise, or
 *   when a redriven old message follows a newer one, each is handled.
 */
import type { SQSRecord } from "aws-lambda";
import { EnvelopeType, parseEnvelope, type Envelope } from "../envelope";
import type { Log } from "../log";
import { recordVerdict } from "../metrics";
import { EventStatus } from "../status";
import { objectKey, type Route } from "./dispatch";

export interface BatchPlan {
  /** Message ids of versions a later message of the batch supersedes: acknowledged without a call. */
  readonly superseded: ReadonlySet<string>;
  /** The envelopes parsed here, by message id, handed to dispatch so no body is parsed twice. */
  readonly envelopes: ReadonlyMap<string, Envelope>;
}

const DECIMAL = /^\d+$/;

/** `older` may be dropped for `newer`: both resourceVersions are numbers and `newer`'s is not lower. */
const isNotOlder = (newer: Envelope, older: Envelope): boolean => {
  const [n, o] = [newer.object.metadata.resourceVersion, older.object.metadata.resourceVersion];
  return n !== undefined && o !== undefined && DECIMAL.test(n) && DECIMAL.test(o) && BigInt(n) >= BigInt(o);
};

/**
 * Which records of a batch are superseded, walking it from the newest end:
 * the first version met of an object (per message group) survives, every
 * earlier version of it is superseded, until a DELETED event of it.
 */
export const planBatch = (records: readonly SQSRecord[], routes: readonly Route[]): BatchPlan => {
  const envelopes = new Map<string, Envelope>();
  for (const record of records) {
    try {
      envelopes.set(record.messageId, parseEnvelope(record.body));
    } catch {
      // Dispatch parses it again and sends it where invalid input goes.
    }
  }
  const superseded = new Set<string>();
  const newest = new Map<string, Envelope>();
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i]!;
    const envelope = envelopes.get(record.messageId);
    if (!envelope || !routes.find((r) => r.matches(envelope.apiVersion, envelope.kind))?.coalesces) continue;
    const key = `${record.attributes.MessageGroupId ?? ""}\u0000${objectKey(envelope)}`;
    if (envelope.type === EnvelopeType.Deleted) {
      newest.delete(key);
      continue;
    }
    const later = newest.get(key);
    if (later && isNotOlder(later, envelope)) superseded.add(record.messageId);
    else newest.set(key, envelope);
  }
  return { superseded, envelopes };
};

/** The verdict for a superseded version: skipped, with nothing called and nothing stored. */
export const skipSuperseded = (record: SQSRecord, plan: BatchPlan, log: Log): undefined => {
  const envelope = plan.envelopes.get(record.messageId);
  const meta = envelope?.object.metadata;
  log.debug("superseded by a newer version in the same batch; acknowledged without a call", {
    messageId: record.messageId,
    kind: envelope?.kind,
    namespace: meta?.namespace,
    name: meta?.name,
    uid: meta?.uid,
    resourceVersion: meta?.resourceVersion,
  });
  if (envelope) recordVerdict(envelope.kind, EventStatus.Skip);
  return undefined;
};
