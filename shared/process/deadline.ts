import type { Context, SQSRecord } from "aws-lambda";
import type { ProcessingConfig } from "../config";
import { DEFAULT_TIMEOUT_MS } from "../scm/options";
import { backoffSeconds } from "./verdict";

/**
 * The invocation's clock. Records of a batch are handled one after another,
 * and each calls its receivers, whose every request may take up to its
 * timeout (`DEFAULT_TIMEOUT_MS`, 10 s). Ten records against an SCM that
 * hangs need 100 s, and the process function has 30 s (serverless.yml
 * `processTimeout`): Lambda would stop it in the middle of a record, after
 * calls that were never recorded — the one window for a repeat — and every
 * record of the batch would come back only after the queue's visibility
 * timeout (180 s). So a record is not started with less than this left: it
 * is handed back unattempted, to come back after the backoff instead, and
 * its group's later records with it.
 *
 * The reserve is one request of each receiver, side by side, bounded by the
 * timeout, plus the record's two writes. A record whose receivers make
 * several requests in a row (a run's first event calls created and started
 * one after the other; the `scm` receiver reads before it writes a possible
 * repeat), or a receiver configured with a longer timeout, can still be cut
 * off by a hanging SCM; the repeat window covers it, as it covers any crash.
 * The first record of an invocation is always started, so that one that
 * begins short of time (a slow cold start) still makes progress.
 */
export const RECORD_RESERVE_MS = DEFAULT_TIMEOUT_MS + 2_000;

/**
 * How long a record handed back stays invisible: the backoff a retry of it
 * would wait. A hand-back is a receive like any other (SQS counts it into
 * `ApproximateReceiveCount`, which the retries are counted from), so against
 * an SCM that stays slow the handed-back records spend their retries at the
 * pace of the backoff, as failed ones do, not once a second.
 */
export const handBackDelaySeconds = (record: SQSRecord, processing: Pick<ProcessingConfig, "backoff">, random?: () => number): number =>
  backoffSeconds(Math.max(0, Number(record.attributes.ApproximateReceiveCount ?? "1") - 1), processing.backoff, random);

/** True when the invocation has too little time left to start another record. */
export const outOfTime = (context: Pick<Context, "getRemainingTimeInMillis"> | undefined, reserveMs = RECORD_RESERVE_MS): boolean =>
  context !== undefined && context.getRemainingTimeInMillis() < reserveMs;
