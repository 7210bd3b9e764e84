import type { SQSRecord } from "aws-lambda";
import type { FeedbackConfig } from "../config";
import { parseEnvelope, type Envelope } from "../envelope";
import { Disposition, dispositionOf } from "../errors";
import { redactText, type Log } from "../log";
import { recordDeadLetter, recordRetry, recordVerdict, UNPARSED_KIND } from "../metrics";
import {
  EventStatus,
  runWithChannel,
  type EventProcessStatus,
  type Handler,
  type HandlerContext,
  type ObjectRecord,
  type StatusChannel,
} from "../status";
import type { ReceiverStartFailure } from "../receivers/startup";
import { StoreKey, storedAfterConflict, VersionConflictError, type StateStore } from "../store";
import { RetryLaterError } from "./errors";
import type { QueueOps } from "./queue";
import { SqsAction, decide } from "./verdict";

/** Sends envelopes of matching kinds to one handler. */
export interface Route {
  matches(apiVersion: string, kind: string): boolean;
  handler: Handler;
  /**
   * True when the handler writes `object` into its state item itself (the
   * pipeline handler does, inside its own writes). Otherwise the process
   * function stores each handled version, to be the next event's `oldObj`.
   */
  keepsObject?: boolean;
  /**
   * True when the handler folds an object's versions by rank, so the newest
   * version in a batch stands for the older ones of its message group, which
   * are then acknowledged without a call (coalesce.ts).
   */
  coalesces?: boolean;
  /**
   * Where the route's items are read, when not the table itself: the
   * pipeline handler's run items, kept in the warm instance
   * (shared/store/cache.ts), since it writes them conditionally before any
   * call. A route that calls out before it writes (a CommitStatus sync)
   * reads the table.
   */
  store?: StateStore;
}

export interface DispatchDeps {
  config: FeedbackConfig;
  store: StateStore;
  routes: readonly Route[];
  queue: QueueOps;
  /** A logger whose every line carries the event's correlation fields. */
  childLog: (keys: Record<string, string | number>) => Log;
  random?: () => number;
  /** Receivers that could not start at the cold start (each is retried on its own calls). */
  receiverFailures?: readonly ReceiverStartFailure[];
}

export const objectKey = (envelope: Pick<Envelope, "cluster" | "object">): string =>
  StoreKey.object(envelope.cluster, envelope.object.metadata.uid);

/** Whatever correlation fields a body that is not a valid envelope still has, so its log line can be found. */
const looseCorrelation = (body: string): Record<string, string> => {
  let value: { cluster?: unknown; kind?: unknown; object?: { metadata?: Record<string, unknown> } } = {};
  try {
    value = JSON.parse(body) ?? {};
  } catch {
    // Not JSON at all: only the message id identifies it.
  }
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const meta = typeof value.object?.metadata === "object" && value.object.metadata ? value.object.metadata : {};
  return { cluster: text(value.cluster), kind: text(value.kind), namespace: text(meta.namespace), name: text(meta.name), uid: text(meta.uid) };
};

const callFor = (handler: Handler, ctx: HandlerContext, envelope: Envelope) => (ch: StatusChannel) => {
  const old = ctx.stored?.data.object;
  if (envelope.type === "DELETED") return handler.deleted(ctx, envelope.object, ch);
  if (old) return handler.updated(ctx, envelope.object, old, ch);
  return handler.added(ctx, envelope.object, ch);
};

/**
 * Processes one SQS record: validate (unless `parsed` is its envelope),
 * route, run the handler's status channel, then act on the verdict. Returns normally when the message may be
 * deleted; throws RetryLaterError when it must come back.
 */
export const processRecord = async (record: SQSRecord, deps: DispatchDeps, parsed?: Envelope): Promise<EventProcessStatus | undefined> => {
  const retryCount = Math.max(0, Number(record.attributes.ApproximateReceiveCount ?? "1") - 1);
  let envelope: Envelope;
  try {
    // `parsed`: the batch read the body already (coalesce.ts).
    envelope = parsed ?? parseEnvelope(record.body);
  } catch (error) {
    // Invalid input is not retried: the same bytes will never parse. Kept in the DLQ for a human.
    if (dispositionOf(error).disposition !== Disposition.InvalidInput) throw error;
    deps.childLog({ ...looseCorrelation(record.body), messageId: record.messageId }).error("malformed envelope sent to the DLQ", { reason: (error as Error).message });
    recordVerdict(UNPARSED_KIND, EventStatus.Failure);
    recordDeadLetter(UNPARSED_KIND, EventStatus.Failure);
    await deadLetter(record, deps, "invalid envelope", EventStatus.Failure, (error as Error).message);
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
    recordVerdict(envelope.kind, EventStatus.Skip);
    return undefined;
  }

  const key = objectKey(envelope);
  const base = { log, envelope, messageId: record.messageId, retryCount, maxRetries: deps.config.processing.maxRetries, key };
  let ctx: HandlerContext = base;
  const outcome = await runWithChannel(
    async (ch) => {
      const stored = route.handler.readsStored?.(envelope.object) === false ? undefined : await (route.store ?? deps.store).get<ObjectRecord>(key);
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
  log.debug("event handled", { verdict: verdict.status.status, action: verdict.action });
  recordVerdict(envelope.kind, verdict.status.status);
  const notify = async (): Promise<void> => {
    if (!verdict.status.notify) return;
    await route.handler.onStatus(ctx, verdict.status).catch((error: unknown) => {
      log.warn("onStatus failed", { error: (error as Error).message });
    });
  };
  switch (verdict.action) {
    case SqsAction.Delete:
      if (!route.keepsObject && envelope.type !== "DELETED") await rememberObject(deps, ctx, log);
      await notify();
      return verdict.status;
    case SqsAction.DeadLetter:
      log.error("event sent to the DLQ", { reason: verdict.reason, error: verdict.status.error?.message });
      recordDeadLetter(envelope.kind, verdict.status.status);
      // The DLQ first: when it does not take the message, the event comes
      // back and reaches this verdict again, and onStatus must still be told once.
      await deadLetter(record, deps, verdict.reason ?? verdict.status.status, verdict.status.status, verdict.status.error?.message);
      await notify();
      return verdict.status;
    case SqsAction.Retry: {
      await notify();
      const delay = verdict.delaySeconds ?? 1;
      log.info("event will be retried", { retryCount, delaySeconds: delay, error: verdict.status.error?.message });
      recordRetry(envelope.kind);
      const applied = await deps.queue.delay(record, delay).then(
        () => delay,
        (error: unknown) => {
          // The message still comes back after the queue's visibility timeout.
          log.warn("could not set the retry delay", { error: (error as Error).message });
          return undefined;
        },
      );
      throw new RetryLaterError(record.messageId, applied, { cause: verdict.status.error });
    }
  }
};

/** Writes of the handled object lost to another writer before it is given up (with a warning). */
const REMEMBER_ATTEMPTS = 2;

/**
 * Stores the version just handled, so that the next event of this object
 * reaches `updated` with it as `oldObj` (the relay keeps no copies). One
 * write per handled event of a route that does not keep its own state.
 */
const rememberObject = async (deps: DispatchDeps, ctx: HandlerContext, log: Log): Promise<void> => {
  const ttl = deps.config.processing.stateTtlDays * 86_400;
  let stored = ctx.stored;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const data: ObjectRecord = { ...stored?.data, object: ctx.envelope.object };
        await deps.store.put(ctx.key, data, stored?.version, ttl);
        return;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= REMEMBER_ATTEMPTS) throw error;
        // Another event of the object wrote first: keep its fields, read only when the conflict carries none.
        stored = await storedAfterConflict<ObjectRecord>(deps.store, error);
      }
    }
  } catch (error) {
    // The event itself was handled: failing it now would repeat it. The next
    // event merely sees an older oldObj.
    log.warn("could not store the object for its next event", { error: (error as Error).message });
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
    // The attributes are read by operators (`kube-feedback dlq list`): no secrets in them.
    await deps.queue.deadLetter(record, redactText(reason), status, error === undefined ? undefined : redactText(error));
  } catch (cause) {
    throw new RetryLaterError(record.messageId, undefined, { cause });
  }
};
