import type { SQSRecord } from "aws-lambda";
import type { FeedbackConfig } from "../config";
import { InvalidEnvelopeError, parseEnvelope, type Envelope } from "../envelope";
import type { Log } from "../log";
import {
  EventStatus,
  runWithChannel,
  type EventProcessStatus,
  type Handler,
  type HandlerContext,
  type ObjectRecord,
  type StatusChannel,
} from "../status";
import type { StateStore } from "../store";
import { RetryLaterError } from "./errors";
import type { QueueOps } from "./queue";
import { SqsAction, decide } from "./verdict";

/** Sends envelopes of matching kinds to one handler. */
export interface Route {
  matches(apiVersion: string, kind: string): boolean;
  handler: Handler;
}

export interface DispatchDeps {
  config: FeedbackConfig;
  store: StateStore;
  routes: readonly Route[];
  queue: QueueOps;
  /** A logger whose every line carries the event's correlation fields. */
  childLog: (keys: Record<string, string | number>) => Log;
  random?: () => number;
}

export const objectKey = (envelope: Pick<Envelope, "cluster" | "object">): string =>
  `obj#${envelope.cluster}/${envelope.object.metadata.uid}`;

const callFor = (handler: Handler, ctx: HandlerContext, envelope: Envelope) => (ch: StatusChannel) => {
  const old = ctx.stored?.data.object;
  if (envelope.type === "DELETED") return handler.deleted(ctx, envelope.object, ch);
  if (old) return handler.updated(ctx, envelope.object, old, ch);
  return handler.added(ctx, envelope.object, ch);
};

/**
 * Processes one SQS record: validate, route, run the handler's status
 * channel, then act on the verdict. Returns normally when the message may be
 * deleted; throws RetryLaterError when it must come back.
 */
export const processRecord = async (record: SQSRecord, deps: DispatchDeps): Promise<EventProcessStatus | undefined> => {
  const retryCount = Math.max(0, Number(record.attributes.ApproximateReceiveCount ?? "1") - 1);
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(record.body);
  } catch (error) {
    if (!(error instanceof InvalidEnvelopeError)) throw error;
    // Not retryable: the same bytes will never parse. Kept in the DLQ for a human.
    deps.childLog({ messageId: record.messageId }).error("malformed envelope sent to the DLQ", { reason: error.message });
    await deadLetter(record, deps, "invalid envelope", EventStatus.Failure, error.message);
    return undefined;
  }

  const meta = envelope.object.metadata;
  const log = deps.childLog({
    messageId: record.messageId,
    cluster: envelope.cluster,
    kind: envelope.kind,
    namespace: meta.namespace ?? "",
    name: meta.name,
    uid: meta.uid,
  });
  const route = deps.routes.find((r) => r.matches(envelope.apiVersion, envelope.kind));
  if (!route) {
    log.debug("no handler for this kind; skipped");
    return undefined;
  }

  const key = objectKey(envelope);
  const base = { log, envelope, messageId: record.messageId, retryCount, maxRetries: deps.config.processing.maxRetries, key };
  let ctx: HandlerContext = base;
  const outcome = await runWithChannel(
    async (ch) => {
      const stored = await deps.store.get<ObjectRecord>(key);
      ctx = stored ? { ...base, stored } : base;
      await callFor(route.handler, ctx, envelope)(ch);
    },
    {
      handler: route.handler.name,
      event: `${envelope.type} ${envelope.kind} ${meta.namespace ?? ""}/${meta.name}`,
      log,
      closeWaitMs: deps.config.processing.closeWaitMs,
    },
  );

  const verdict = decide(outcome.final, retryCount, deps.config.processing, deps.random);
  if (verdict.status.notify) {
    await route.handler.onStatus(ctx, verdict.status).catch((error: unknown) => {
      log.warn("onStatus failed", { error: (error as Error).message });
    });
  }
  switch (verdict.action) {
    case SqsAction.Delete:
      return verdict.status;
    case SqsAction.DeadLetter:
      log.error("event sent to the DLQ", { reason: verdict.reason, error: verdict.status.error?.message });
      await deadLetter(record, deps, verdict.reason ?? verdict.status.status, verdict.status.status, verdict.status.error?.message);
      return verdict.status;
    case SqsAction.Retry: {
      const delay = verdict.delaySeconds ?? 1;
      log.info("event will be retried", { retryCount, delaySeconds: delay, error: verdict.status.error?.message });
      await deps.queue.delay(record, delay).catch((error: unknown) => {
        // The message still comes back after the queue's visibility timeout.
        log.warn("could not set the retry delay", { error: (error as Error).message });
      });
      throw new RetryLaterError(record.messageId, delay, { cause: verdict.status.error });
    }
  }
};

/** A message the DLQ did not take must not be deleted: it is retried instead. */
const deadLetter = async (
  record: SQSRecord,
  deps: DispatchDeps,
  reason: string,
  status: string,
  error: string | undefined,
): Promise<void> => {
  try {
    await deps.queue.deadLetter(record, reason, status, error);
  } catch (cause) {
    throw new RetryLaterError(record.messageId, 0, { cause });
  }
};
