import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { Disposition, dispositionOf } from "../../../shared/errors";
import type { Log } from "../../../shared/log";
import type { PipelineInfo } from "../../../shared/pipeline/types";
import {
  IsolatedReceiver,
  LifecycleEvent,
  REINITIALIZE_AFTER_MS,
  ReceiverUnavailableError,
  startReceivers,
  type ServiceContext,
} from "../../../shared/receivers";
import { RecordingReceiver } from "../../helpers/recording-receiver";

const config = parseConfig({
  cluster: "unit",
  watch: [{ version: "v1", group: "batch", resource: "jobs" }],
  receivers: [
    { name: "fine", type: "console" },
    { name: "broken", type: "console" },
  ],
});

const info = { id: "unit/ci/build-1", uid: "u1", phase: "running", stages: [] } as unknown as PipelineInfo;
const ctx = { log: undefined as unknown as Log, event: LifecycleEvent.Created };

const recordingLog = () => {
  const lines: Array<{ level: string; message: string; error?: string }> = [];
  const at =
    (level: string) =>
    (message: string, extra?: { error?: string }): void =>
      void lines.push({ level, message, ...(extra?.error ? { error: extra.error } : {}) });
  const log = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } as unknown as Log;
  return { log, lines };
};

/** A receiver whose start fails while `secret` is unset, like one that reads an env: reference. */
class SecretReceiver extends RecordingReceiver {
  secret: string | undefined;
  starts = 0;
  async initialize(): Promise<void> {
    this.starts++;
    if (!this.secret) throw new Error(`receiver ${this.name}: options.secret: environment variable UNSET is not set`);
  }
}

const serviceContext = (log: Log): ServiceContext => ({
  log,
  config,
  kube: async () => {
    throw new Error("not used");
  },
  store: { get: async () => undefined, put: async () => {} },
});

describe("Function: startReceivers", () => {
  it("starts each receiver on its own and reports only the one that failed, by name and key", async () => {
    // Prepare
    const { log, lines } = recordingLog();
    const fine = new SecretReceiver("fine");
    fine.secret = "set";
    const broken = new SecretReceiver("broken");

    // Act
    const started = await startReceivers(
      [
        { receiver: fine, entry: config.receivers[0]! },
        { receiver: broken, entry: config.receivers[1]! },
      ],
      serviceContext(log),
    );
    await started.receivers[0]!.receiver.whenCreated(ctx, info);

    // Assess
    expect(started.failures.map((f) => [f.receiver, f.error.message])).toEqual([
      ["broken", "cannot start receiver broken: options.secret: environment variable UNSET is not set"],
    ]);
    expect(fine.calls.map((c) => c.event)).toEqual(["created"]);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
  });
});

describe("Class: IsolatedReceiver", () => {
  it("fails its calls with a retryable error naming the receiver, without retrying the start on every call", async () => {
    // Prepare
    let now = 1_000;
    const { log, lines } = recordingLog();
    const inner = new SecretReceiver("broken");
    const receiver = new IsolatedReceiver(inner, serviceContext(log), () => now);
    await receiver.start();

    // Act
    const first = await receiver.whenFinished(ctx, info).catch((e: unknown) => e);
    now += REINITIALIZE_AFTER_MS - 1;
    const second = await receiver.updateProgress(ctx, info).catch((e: unknown) => e);

    // Assess
    expect(first).toBeInstanceOf(ReceiverUnavailableError);
    expect((first as ReceiverUnavailableError).receiver).toBe("broken");
    expect(dispositionOf(first).disposition).toBe(Disposition.Retry);
    expect(second).toBe(first);
    expect(inner.starts).toBe(1);
    expect(inner.calls).toEqual([]);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
  });

  it("starts again once the wait has passed, and serves calls when the secret is back", async () => {
    // Prepare
    let now = 1_000;
    const { log, lines } = recordingLog();
    const inner = new SecretReceiver("healing");
    const receiver = new IsolatedReceiver(inner, serviceContext(log), () => now);
    await receiver.start();
    await receiver.whenCreated(ctx, info).catch(() => undefined);

    // Act
    inner.secret = "back";
    now += REINITIALIZE_AFTER_MS;
    await receiver.whenCreated(ctx, info);
    await receiver.whenStarted(ctx, info);

    // Assess
    expect(inner.starts).toBe(2);
    expect(inner.calls.map((c) => c.event)).toEqual(["created", "started"]);
    expect(lines.map((l) => l.level)).toEqual(["error", "info"]);
  });

  it("shares one start among concurrent calls", async () => {
    // Prepare
    const { log } = recordingLog();
    const inner = new SecretReceiver("busy");
    inner.secret = "set";
    const receiver = new IsolatedReceiver(inner, serviceContext(log));

    // Act
    await Promise.all([receiver.whenCreated(ctx, info), receiver.whenStarted(ctx, info), receiver.whenFinished(ctx, info)]);

    // Assess
    expect(inner.starts).toBe(1);
    expect(inner.calls).toHaveLength(3);
  });

  it("answers handles and progressKey as the receiver it wraps does, and has neither where that one has none", () => {
    // Prepare
    const { log } = recordingLog();
    const finishedOnly = Object.assign(new RecordingReceiver("picky"), {
      handles: (event: LifecycleEvent) => event === LifecycleEvent.Finished,
      progressKey: (run: PipelineInfo) => `key of ${run.phase}`,
    });

    // Act
    const wrapped = new IsolatedReceiver(finishedOnly, serviceContext(log));
    const plain = new IsolatedReceiver(new RecordingReceiver("plain"), serviceContext(log));

    // Assess
    expect([LifecycleEvent.Created, LifecycleEvent.Finished].map((event) => wrapped.handles?.(event))).toEqual([false, true]);
    expect(wrapped.progressKey?.(info)).toBe("key of running");
    expect(plain.handles).toBeUndefined();
    expect(plain.progressKey).toBeUndefined();
  });
});
