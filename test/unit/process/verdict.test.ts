import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffSeconds, decide, MAX_VISIBILITY_SECONDS, SqsAction } from "../../../shared/process/verdict";
import { combineRetries, Disposition, FeedbackError, RetryAfterError } from "../../../shared/errors";
import { EventStatus, newEventProcessStatus, type EventProcessStatusBuilder } from "../../../shared/status";

const processing = { maxRetries: 3, backoff: { baseSeconds: 2, capSeconds: 60 } };
const half = () => 0.5;

const final = (status: EventStatus) => newEventProcessStatus().withStatus(status);

describe("Function: decide", () => {
  it.each<{ name: string; status: EventProcessStatusBuilder; retryCount: number; action: SqsAction }>([
    { name: "Completed", status: final(EventStatus.Completed), retryCount: 0, action: SqsAction.Delete },
    { name: "Skip", status: final(EventStatus.Skip), retryCount: 0, action: SqsAction.Delete },
    { name: "Completed on the last retry", status: final(EventStatus.Completed), retryCount: 3, action: SqsAction.Delete },
    { name: "PartialCompleted without retry", status: final(EventStatus.PartialCompleted), retryCount: 0, action: SqsAction.Delete },
    { name: "PartialCompleted with retry", status: final(EventStatus.PartialCompleted).withRetry(), retryCount: 0, action: SqsAction.Retry },
    { name: "Retry below the max", status: final(EventStatus.Retry), retryCount: 2, action: SqsAction.Retry },
    { name: "Retry at the max", status: final(EventStatus.Retry), retryCount: 3, action: SqsAction.DeadLetter },
    { name: "Retry past the max", status: final(EventStatus.Retry), retryCount: 9, action: SqsAction.DeadLetter },
    { name: "PartialCompleted with retry at the max", status: final(EventStatus.PartialCompleted).withRetry(), retryCount: 3, action: SqsAction.DeadLetter },
    { name: "Retry at its own withMaxRetry(1)", status: final(EventStatus.Retry).withMaxRetry(1), retryCount: 1, action: SqsAction.DeadLetter },
    { name: "Retry below its own withMaxRetry(10)", status: final(EventStatus.Retry).withMaxRetry(10), retryCount: 5, action: SqsAction.Retry },
    { name: "Failure", status: final(EventStatus.Failure), retryCount: 0, action: SqsAction.DeadLetter },
    { name: "Failure even with withRetry", status: final(EventStatus.Failure).withRetry(), retryCount: 0, action: SqsAction.DeadLetter },
    { name: "MaxRetryReached from the handler", status: final(EventStatus.MaxRetryReached), retryCount: 0, action: SqsAction.DeadLetter },
  ])("returns $action for $name", ({ status, retryCount, action }) => {
    // Act
    const verdict = decide(status.build(true), retryCount, processing, half);

    // Assess
    expect(verdict.action).toBe(action);
  });

  it("returns the status unchanged and no delay when the message is deleted", () => {
    // Prepare
    const status = final(EventStatus.Completed).withMessage("k", "v").build(true);

    // Act
    const verdict = decide(status, 0, processing, half);

    // Assess
    expect(verdict).toEqual({ action: SqsAction.Delete, status });
  });

  it("returns MaxRetryReached with the reason, the messages, the last error and notify when Retry reaches the max", () => {
    // Prepare
    const error = new Error("502 from GitHub");
    const status = final(EventStatus.Retry).withMessage("receiver", "github").withError(error).build(true, false);

    // Act
    const verdict = decide(status, 3, processing, half);

    // Assess
    expect(verdict.action).toBe(SqsAction.DeadLetter);
    expect(verdict.reason).toBe("max retries (3) reached");
    expect(verdict.delaySeconds).toBeUndefined();
    expect(verdict.status).toMatchObject({
      status: EventStatus.MaxRetryReached,
      messages: { receiver: "github", retries: "3" },
      error,
      final: true,
      notify: true,
    });
  });

  it.each([
    { name: "with a reason message", status: final(EventStatus.Failure).withMessage("reason", "invalid object"), reason: "invalid object" },
    { name: "without a reason message", status: final(EventStatus.Failure), reason: "Failure" },
    { name: "MaxRetryReached from the handler", status: final(EventStatus.MaxRetryReached), reason: "MaxRetryReached" },
  ])("returns the dead-letter reason $name", ({ status, reason }) => {
    // Act
    const verdict = decide(status.build(true), 0, processing, half);

    // Assess
    expect(verdict).toMatchObject({ action: SqsAction.DeadLetter, reason });
  });

  const NOW = Date.parse("2024-05-01T10:00:00Z");
  const wait = (message: string, seconds: number) => new RetryAfterError(message, seconds, { now: NOW });

  it.each([
    { name: "the backoff for retry 0", error: undefined, retryCount: 0, delay: 2 },
    { name: "the backoff for retry 2", error: new Error("timeout"), retryCount: 2, delay: 6 },
    { name: "a retry's time", error: wait("rate limited", 30), retryCount: 0, delay: 30 },
    { name: "a time nested as cause", error: new Error("wrapped", { cause: wait("rate limited", 45) }), retryCount: 1, delay: 45 },
    { name: "a fractional wait rounded up", error: wait("rate limited", 2.2), retryCount: 0, delay: 3 },
    { name: "a time already past raised to one second", error: wait("rate limited", -5), retryCount: 0, delay: 1 },
    { name: "a time beyond SQS's limit capped", error: wait("rate limited", 90_000), retryCount: 0, delay: MAX_VISIBILITY_SECONDS },
    { name: "a time past the backoff cap", error: wait("rate limited", 600), retryCount: 0, delay: 600 },
    { name: "a failing webhook listed before a rate limit of 8 s", error: combineRetries([new Error("webhook 500"), wait("403", 8)]), retryCount: 0, delay: 8 },
    { name: "the latest of two times, listed first", error: combineRetries([wait("a", 30), wait("b", 8)]), retryCount: 0, delay: 30 },
    { name: "the latest of two times, listed last", error: combineRetries([wait("a", 8), wait("b", 30)]), retryCount: 0, delay: 30 },
    { name: "the backoff when it is longer than the time beside it", error: combineRetries([wait("a", 3), new Error("webhook 500")]), retryCount: 2, delay: 6 },
  ])("returns a Retry delay of $delay s from $name", ({ error, retryCount, delay }) => {
    // Prepare
    const status = final(EventStatus.Retry);
    if (error) status.withError(error);

    // Act
    const verdict = decide(status.build(true), retryCount, processing, half, NOW);

    // Assess
    expect(verdict).toMatchObject({ action: SqsAction.Retry, delaySeconds: delay });
  });

  it("counts a named time from when the verdict is made, not from when the error was", () => {
    // Prepare: the failure named a time 30 s after NOW; the verdict comes 12 s later.
    const status = final(EventStatus.Retry).withError(wait("rate limited", 30));

    // Act
    const verdict = decide(status.build(true), 0, processing, half, NOW + 12_000);

    // Assess
    expect(verdict.delaySeconds).toBe(18);
  });

  it.each([
    { disposition: Disposition.Permanent, status: final(EventStatus.Retry) },
    { disposition: Disposition.InvalidInput, status: final(EventStatus.Retry) },
    { disposition: Disposition.Permanent, status: final(EventStatus.PartialCompleted).withRetry() },
  ])("returns a Failure to dead-letter, told, when a retry's error is $disposition", ({ disposition, status }) => {
    // Prepare
    const error = new FeedbackError("422 from GitHub", { disposition });
    status.withMessage("receiver", "github").withError(error);

    // Act
    const verdict = decide(status.build(true, false), 0, processing, half, NOW);

    // Assess
    expect(verdict).toMatchObject({ action: SqsAction.DeadLetter, reason: `not retryable (${disposition})` });
    expect(verdict.status).toMatchObject({ status: EventStatus.Failure, messages: { receiver: "github" }, error, final: true, notify: true });
  });

  it("returns a retry on the last attempt to MaxRetryReached, whatever time it named", () => {
    // Prepare
    const status = final(EventStatus.Retry).withError(wait("rate limited", 30));

    // Act
    const verdict = decide(status.build(true), 3, processing, half, NOW);

    // Assess
    expect(verdict).toMatchObject({ action: SqsAction.DeadLetter, status: { status: EventStatus.MaxRetryReached } });
  });
});

describe("Function: backoffSeconds", () => {
  it.each([
    { retryCount: 0, seconds: 2 },
    { retryCount: 1, seconds: 3 },
    { retryCount: 2, seconds: 6 },
    { retryCount: 3, seconds: 12 },
    { retryCount: 4, seconds: 24 },
    { retryCount: 5, seconds: 45 },
    { retryCount: 6, seconds: 45 },
    { retryCount: 1000, seconds: 45 },
  ])("returns $seconds s for retry $retryCount (base 2, cap 60, random 0.5)", ({ retryCount, seconds }) => {
    // Act
    const delay = backoffSeconds(retryCount, processing.backoff, half);

    // Assess
    expect(delay).toBe(seconds);
  });

  it.each([
    { random: 0, seconds: 4 },
    { random: 0.25, seconds: 5 },
    { random: 0.999, seconds: 8 },
  ])("returns $seconds s for retry 2 when random returns $random", ({ random, seconds }) => {
    // Act
    const delay = backoffSeconds(2, processing.backoff, () => random);

    // Assess
    expect(delay).toBe(seconds);
  });

  it("returns at least one second when the base is below a second", () => {
    // Act
    const delay = backoffSeconds(0, { baseSeconds: 0.1, capSeconds: 10 }, () => 0);

    // Assess
    expect(delay).toBe(1);
  });

  it("returns a delay between half the step and the step, never above the cap, for any retry and random", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0.5, max: 100, noNaN: true }),
        fc.double({ min: 1, max: MAX_VISIBILITY_SECONDS, noNaN: true }),
        (retryCount, random, baseSeconds, capSeconds) => {
          // Act
          const delay = backoffSeconds(retryCount, { baseSeconds, capSeconds }, () => random);

          // Assess
          const step = Math.min(capSeconds, baseSeconds * 2 ** Math.min(retryCount, 30));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.max(1, Math.ceil(step / 2)));
          expect(delay).toBeLessThanOrEqual(Math.max(1, Math.ceil(step)));
          expect(delay).toBeLessThanOrEqual(MAX_VISIBILITY_SECONDS);
        },
      ),
    );
  });

  it("returns delays that never shrink from one retry to the next for the same random", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retryCount, random) => {
        // Act
        const now = backoffSeconds(retryCount, processing.backoff, () => random);
        const next = backoffSeconds(retryCount + 1, processing.backoff, () => random);

        // Assess
        expect(next).toBeGreaterThanOrEqual(now);
      }),
    );
  });
});
