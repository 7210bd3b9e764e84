import { makeEnvelope, type EnvelopeType, type KubeObject } from "../../shared/envelope";
import type { Log } from "../../shared/log";
import { runWithChannel, type EventProcessStatus, type HandlerContext, type ObjectRecord, type StatusChannel } from "../../shared/status";
import { StoreKey, type StoredItem } from "../../shared/store";

/** A log that drops every line; the assertions read what the handler reported, not what it logged. */
export const SILENT_LOG: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface ContextOptions {
  cluster?: string;
  type?: EnvelopeType;
  /** What the process function read for the object before calling the handler. */
  stored?: StoredItem<ObjectRecord>;
  retryCount?: number;
}

/** The context the process function builds for one event of `object`, keyed `obj#cluster/uid`. */
export const handlerContext = (object: KubeObject, options: ContextOptions = {}): HandlerContext => {
  const cluster = options.cluster ?? "unit";
  return {
    log: SILENT_LOG,
    envelope: makeEnvelope(cluster, options.type ?? "MODIFIED", object),
    messageId: `message-${object.metadata.uid}-${object.metadata.resourceVersion ?? ""}`,
    retryCount: options.retryCount ?? 0,
    maxRetries: 5,
    key: StoreKey.object(cluster, object.metadata.uid),
    ...(options.stored ? { stored: options.stored } : {}),
  };
};

/** Runs one handler call against a fresh channel and returns its final status. */
export const finalStatus = async (call: (ch: StatusChannel) => Promise<void>): Promise<EventProcessStatus> =>
  (await runWithChannel(call, { handler: "unit", event: "unit", log: SILENT_LOG, closeWaitMs: 1_000 })).final;
