import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Log } from "../../../shared/log";
import {
  EventStatus,
  newEventProcessStatus,
  runWithChannel,
  UnclosedChannelError,
  type RunOptions,
  type StatusChannel,
} from "../../../shared/status";

const CLOSE_WAIT_MS = 50;

const testLog = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }) satisfies Log;

const optionsWith = (log: Log): RunOptions => ({
  handler: "probe-handler",
  event: "ADDED Probe test/p-1",
  log,
  closeWaitMs: CLOSE_WAIT_MS,
});

/** Tracks whether a promise has settled, without awaiting it. */
const track = <T>(promise: Promise<T>) => {
  const state: { settled: boolean; value?: T } = { settled: false };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
};

describe("Function: runWithChannel", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("returns the last status and every status sent when the handler closes its channel", async () => {
    // Prepare
    const log = testLog();
    const call = async (ch: StatusChannel) => {
      await newEventProcessStatus().withStatus(EventStatus.Processing).send(ch);
      await newEventProcessStatus().withStatus(EventStatus.Completed).withMessage("k", "v").sendClose(ch);
    };

    // Act
    const outcome = await runWithChannel(call, optionsWith(log));

    // Assess
    expect(outcome.statuses.map((s) => s.status)).toEqual([EventStatus.Processing, EventStatus.Completed]);
    expect(outcome.final).toMatchObject({ status: EventStatus.Completed, messages: { k: "v" }, final: true });
    expect(log.warn).not.toHaveBeenCalled();
  });

  it("drains more statuses than the channel holds without blocking the handler", async () => {
    // Prepare
    const call = async (ch: StatusChannel) => {
      for (let n = 0; n < 12; n++) await newEventProcessStatus().withStatus(EventStatus.Processing).send(ch);
      await newEventProcessStatus().sendClose(ch);
    };

    // Act
    const outcome = await runWithChannel(call, optionsWith(testLog()));

    // Assess
    expect(outcome.statuses).toHaveLength(13);
    expect(outcome.final.status).toBe(EventStatus.Completed);
  });

  it("returns Retry with UnclosedChannelError and warns naming handler and event when the channel is never closed", async () => {
    // Prepare
    const log = testLog();
    const call = async (ch: StatusChannel) => {
      await newEventProcessStatus().withStatus(EventStatus.Completed).send(ch);
    };

    // Act
    const run = track(runWithChannel(call, optionsWith(log)));
    await vi.advanceTimersByTimeAsync(CLOSE_WAIT_MS - 1);
    const settledBeforeTheWaitEnded = run.settled;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(settledBeforeTheWaitEnded).toBe(false);
    expect(run.settled).toBe(true);
    const outcome = run.value!;
    expect(outcome.final.status).toBe(EventStatus.Retry);
    expect(outcome.final.retry).toBe(true);
    expect(outcome.final.error).toBeInstanceOf(UnclosedChannelError);
    expect(outcome.final.error).toMatchObject({ handler: "probe-handler", event: "ADDED Probe test/p-1", waitMs: CLOSE_WAIT_MS });
    expect(outcome.statuses.map((s) => s.status)).toEqual([EventStatus.Completed]);
    expect(log.warn).toHaveBeenCalledTimes(1);
    const [message, fields] = log.warn.mock.calls[0]!;
    expect(message).toContain("probe-handler");
    expect(message).toContain("ADDED Probe test/p-1");
    expect(fields).toEqual({ handler: "probe-handler", event: "ADDED Probe test/p-1" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("returns the handler's status when it closes the channel late but within the wait", async () => {
    // Prepare
    const log = testLog();
    const call = async (ch: StatusChannel) => {
      setTimeout(() => void newEventProcessStatus().withStatus(EventStatus.Skip).skipClose(ch), CLOSE_WAIT_MS / 2);
    };

    // Act
    const run = track(runWithChannel(call, optionsWith(log)));
    await vi.advanceTimersByTimeAsync(CLOSE_WAIT_MS / 2);

    // Assess
    expect(run.settled).toBe(true);
    expect(run.value?.final).toMatchObject({ status: EventStatus.Skip, notify: false });
    expect(log.warn).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("returns Retry carrying the error at once when the handler throws", async () => {
    // Prepare
    const log = testLog();
    const boom = new Error("SCM unreachable");
    const call = async (ch: StatusChannel) => {
      await newEventProcessStatus().withStatus(EventStatus.Processing).send(ch);
      throw boom;
    };

    // Act
    const run = track(runWithChannel(call, optionsWith(log)));
    await vi.advanceTimersByTimeAsync(0);

    // Assess
    expect(run.settled).toBe(true);
    expect(run.value?.final).toMatchObject({ status: EventStatus.Retry, retry: true, error: boom, final: true, notify: true });
    expect(run.value?.statuses.map((s) => s.status)).toEqual([EventStatus.Processing]);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it("returns Retry when the handler throws after closing its channel", async () => {
    // Prepare
    const call = async (ch: StatusChannel) => {
      await newEventProcessStatus().sendClose(ch);
      throw new Error("late failure");
    };

    // Act
    const outcome = await runWithChannel(call, optionsWith(testLog()));

    // Assess
    expect(outcome.final.status).toBe(EventStatus.Retry);
    expect(outcome.final.error?.message).toBe("late failure");
  });

  it("returns Completed when the handler closes its channel without a status", async () => {
    // Prepare
    const call = async (ch: StatusChannel) => ch.close();

    // Act
    const outcome = await runWithChannel(call, optionsWith(testLog()));

    // Assess
    expect(outcome.statuses).toHaveLength(0);
    expect(outcome.final).toMatchObject({ status: EventStatus.Completed, final: true });
  });
});
