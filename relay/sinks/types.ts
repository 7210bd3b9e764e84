import type { Envelope } from "../../shared/envelope";

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
  /** Batches the buffer may have in flight at once (each message group still in order); one when absent. */
  readonly concurrency?: number;
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
