import type { Envelope } from "../../shared/envelope";

/** SendMessageBatch takes at most ten entries. */
export const SQS_BATCH_LIMIT = 10;

/**
 * SQS's classic limit for one message and for one SendMessageBatch request
 * (the sum of its bodies). AWS has since raised it to 1 MiB, but a queue's
 * `MaximumMessageSize` may still be lower, so the relay keeps to the old one.
 */
export const SQS_MESSAGE_LIMIT = 262_144;

/** What a sink did with one batch. Nothing is left out: every envelope is sent, to retry or rejected. */
export interface SendReport {
  /** Envelopes the destination accepted. */
  sent: number;
  /** Envelopes to send again later (throttling, a failed entry, a 5xx): retried forever, in order. */
  retry: Envelope[];
  /** Envelopes the destination refused for good (invalid, too large): logged and counted, never retried. */
  rejected: Array<{ envelope: Envelope; reason: string }>;
  /** Why some must be retried, for the log. */
  detail?: string;
  /** A server's own hint (Retry-After), when it gave one. */
  retryAfterMs?: number;
}

/**
 * Where the relay ships envelopes. `send` gets at most one batch of ten and
 * reports per envelope; it throws only when nothing at all could be tried
 * (the buffer then retries the whole batch).
 */
export interface Sink {
  /** `sqs`, `webhook`, `stdout`: for logs and metrics. */
  readonly name: string;
  send(envelopes: readonly Envelope[]): Promise<SendReport>;
}

export const SinkType = {
  Sqs: "sqs",
  Webhook: "webhook",
  Stdout: "stdout",
} as const;
export type SinkType = (typeof SinkType)[keyof typeof SinkType];

export const emptyReport = (): SendReport => ({ sent: 0, retry: [], rejected: [] });

/** Merges per-request reports of one batch. */
export const mergeReports = (reports: readonly SendReport[]): SendReport =>
  reports.reduce<SendReport>(
    (acc, r) => ({
      sent: acc.sent + r.sent,
      retry: [...acc.retry, ...r.retry],
      rejected: [...acc.rejected, ...r.rejected],
      detail: [acc.detail, r.detail].filter(Boolean).join("; ") || undefined,
      retryAfterMs: Math.max(acc.retryAfterMs ?? 0, r.retryAfterMs ?? 0) || undefined,
    }),
    emptyReport(),
  );

/**
 * Splits serialised envelopes into requests of at most `maxEntries` and
 * `maxBytes` (the sum of bodies), keeping their order. An entry bigger than
 * `maxBytes` on its own gets a request to itself: the destination decides.
 */
export const chunkBySize = <T extends { bytes: number }>(items: readonly T[], maxEntries: number, maxBytes: number): T[][] => {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxEntries || bytes + item.bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};
