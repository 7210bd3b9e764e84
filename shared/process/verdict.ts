import type { ProcessingConfig } from "../config";
import { Disposition, dispositionOf } from "../errors";
import { EventStatus, newEventProcessStatus, type EventProcessStatus } from "../status";

/** SQS's upper bound for a message's visibility timeout. */
export const MAX_VISIBILITY_SECONDS = 43_200;

export const SqsAction = {
  /** Success: the message is deleted. */
  Delete: "delete",
  /** Reported in batchItemFailures, visible again after `delaySeconds`. */
  Retry: "retry",
  /** Sent to the DLQ with its reason, then deleted. */
  DeadLetter: "dead-letter",
} as const;
export type SqsAction = (typeof SqsAction)[keyof typeof SqsAction];

export interface SqsVerdict {
  action: SqsAction;
  /** The status the event ends with (Retry past the max becomes MaxRetryReached). */
  status: EventProcessStatus;
  delaySeconds?: number;
  reason?: string;
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half is
 * random, so delays grow with every retry yet retries of many messages do
 * not arrive together.
 */
export const backoffSeconds = (
  retryCount: number,
  backoff: ProcessingConfig["backoff"],
  random: () => number = Math.random,
): number => {
  const step = Math.min(backoff.capSeconds, backoff.baseSeconds * 2 ** Math.min(retryCount, 30));
  const seconds = Math.ceil(step / 2 + random() * (step / 2));
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, seconds));
};

/**
 * Maps a handler's final status onto what SQS should do with the message
 * (DESIGN §4). When the handler asks for a retry, its error's disposition
 * (`dispositionOf`, and nothing else) decides whether and when: an error
 * that retrying will not fix goes to the DLQ at once, a retry waits for the
 * time the failures named and the backoff when one named none.
 */
export const decide = (
  final: EventProcessStatus,
  retryCount: number,
  processing: Pick<ProcessingConfig, "maxRetries" | "backoff">,
  random?: () => number,
  now: number = Date.now(),
): SqsVerdict => {
  switch (final.status) {
    case EventStatus.Completed:
    case EventStatus.Skip:
    case EventStatus.Processing:
      return { action: SqsAction.Delete, status: final };
    case EventStatus.PartialCompleted:
      if (!final.retry) return { action: SqsAction.Delete, status: final };
      break;
    case EventStatus.Failure:
    case EventStatus.MaxRetryReached:
      return { action: SqsAction.DeadLetter, status: final, reason: final.messages.reason ?? final.status };
    case EventStatus.Retry:
      break;
  }
  const failure = dispositionOf(final.error);
  if (failure.disposition !== Disposition.Retry) {
    // Told like a Failure the handler sent itself: the event ends here.
    const status = restatus(final, EventStatus.Failure);
    return { action: SqsAction.DeadLetter, status: status.build(true, true), reason: final.messages.reason ?? `not retryable (${failure.disposition})` };
  }
  const maxRetries = final.maxRetry ?? processing.maxRetries;
  if (retryCount >= maxRetries) {
    const status = restatus(final, EventStatus.MaxRetryReached).withMessage("retries", String(retryCount));
    // Always told, even after `skipClose`: the handler asked to retry, and
    // giving up on the event is news it did not choose to ignore.
    return { action: SqsAction.DeadLetter, status: status.build(true, true), reason: `max retries (${maxRetries}) reached` };
  }
  // The longest wait of the failures: the time one named (a Retry-After, a
  // rate-limit reset, a paused credential) and the backoff when one named none.
  const named = failure.notBefore === undefined ? 0 : Math.ceil((failure.notBefore - now) / 1000);
  const backoff = failure.backsOff ? backoffSeconds(retryCount, processing.backoff, random) : 0;
  const delaySeconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, named, backoff));
  return { action: SqsAction.Retry, status: final, delaySeconds };
};

/** The final status under another name, with its messages and error. */
const restatus = (final: EventProcessStatus, status: EventStatus) => {
  const builder = newEventProcessStatus().withStatus(status);
  for (const [key, value] of Object.entries(final.messages)) builder.withMessage(key, value);
  if (final.error) builder.withError(final.error);
  return builder;
};
