/**
 * What one callback puts on the bus, and how PutEvents' per-entry answer is
 * read. PutEvents answers 200 even when an entry was refused: the refusal is
 * in `FailedEntryCount` and the entry's `ErrorCode`
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html),
 * so a 200 with a failed entry is a failed callback, never a success.
 */
import type { PutEventsRequestEntry, PutEventsResponse } from "@aws-sdk/client-eventbridge";
import type { LifecycleEvent } from "../../pipeline/receiver";
import type { PipelineInfo } from "../../pipeline/types";
import { RUN_EVENT_MAX_BYTES, runEvent } from "../run-event";
import { PermanentReceiverError, ReceiverError } from "../errors";
import { THROTTLING_NAMES } from "../aws-sdk";

/** The `detail-type` of every event, for rules: `{"detail-type": ["Pipeline Run State Change"]}`. */
export const DETAIL_TYPE = "Pipeline Run State Change";

/** The `source` when the options name none. Sources starting with `aws.` are reserved for AWS. */
export const DEFAULT_SOURCE = "kube-feedback";

/**
 * The entry for one callback. `Time` is left to EventBridge (the moment of
 * the call): a progress callback has no time of its own, and the run's
 * timestamps are in the detail. The entry's size counts the source and the
 * detail type, so the detail keeps their bytes free.
 */
export const putEventsEntry = (eventBusName: string, source: string, event: LifecycleEvent, info: PipelineInfo): PutEventsRequestEntry => ({
  EventBusName: eventBusName,
  Source: source,
  DetailType: DETAIL_TYPE,
  Detail: JSON.stringify(runEvent(event, info, RUN_EVENT_MAX_BYTES - Buffer.byteLength(source) - DETAIL_TYPE.length)),
});

/**
 * The entry errors PutEventsResultEntry documents as retryable
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html);
 * every other code (AccessDeniedException, InvalidArgument, MalformedDetail,
 * NotAuthorizedForSourceException, …) will be refused again.
 */
const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set(["InternalFailure", "InternalException"]);

/**
 * Undefined when the one entry was accepted; else the error of the failed
 * callback: retried for a throttle or an internal failure, permanent for the
 * rest. An answer without a result for the entry is retried: nothing says
 * the event is on the bus.
 */
export const entryFailure = (what: string, output: Pick<PutEventsResponse, "FailedEntryCount" | "Entries">): Error | undefined => {
  const [entry] = output.Entries ?? [];
  if (entry?.EventId && !entry.ErrorCode && (output.FailedEntryCount ?? 0) === 0) return undefined;
  if (!entry?.ErrorCode) return new ReceiverError(`${what}: the answer reports ${output.FailedEntryCount ?? 0} failed entries and no event id`);
  const code = entry.ErrorCode;
  const throttled = THROTTLING_NAMES.has(code);
  const message = `${what}: ${throttled ? "throttled" : "entry refused"}: ${code}: ${entry.ErrorMessage ?? "no message"}`;
  if (throttled || RETRYABLE_ENTRY_CODES.has(code)) return new ReceiverError(message);
  return new PermanentReceiverError(message);
};
