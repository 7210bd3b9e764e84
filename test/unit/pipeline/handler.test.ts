import { describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import { PipelineHandler } from "../../../shared/pipeline/pipeline-handler";
import { LifecycleEvent, PermanentReceiverError } from "../../../shared/receivers";
import { EventStatus, type ObjectRecord } from "../../../shared/status";
import { StoreKey } from "../../../shared/store";
import { finalStatus, handlerContext } from "../../helpers/handler-context";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { RecordingReceiver } from "../../helpers/recording-receiver";
import { runStateOf, type RunRecord } from "../../../shared/pipeline/run-record";

const UID = "job-fold-1";
const KEY = StoreKey.object("unit", UID);
const RUN = "unit/ci/migrate";

const config = parseConfig({
  cluster: "unit",
  watch: [{ group: "batch", version: "v1", resource: "jobs" }],
  receivers: [
    { name: "chat", type: "console" },
    { name: "scm", type: "console" },
  ],
  processing: { leaseSeconds: 60 },
});

/** The Job `migrate` as its controller shows it: pending (no status), running, or succeeded. */
const job = (phase: "pending" | "running" | "succeeded", resourceVersion = phase): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "migrate", namespace: "ci", uid: UID, resourceVersion },
  ...(phase === "pending"
    ? {}
    : phase === "running"
      ? { status: { startTime: "2026-11-20T10:00:00Z", active: 1 } }
      : {
          status: {
            startTime: "2026-11-20T10:00:00Z",
            completionTime: "2026-11-20T10:01:00Z",
            succeeded: 1,
            conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2026-11-20T10:01:00Z" }],
          },
        }),
});

const setup = () => {
  const store = new MemoryStateStore();
  const chat = new RecordingReceiver("chat");
  const scm = new RecordingReceiver("scm");
  const [chatEntry, scmEntry] = config.receivers;
  const handler = new PipelineHandler({
    config,
    store,
    receivers: [
      { receiver: chat, entry: chatEntry! },
      { receiver: scm, entry: scmEntry! },
    ],
  });
  /** One event of `object`, with what the process function read for it before (the store's item by default). */
  const deliver = async (object: KubeObject, stored: { version: number; data: unknown } | null = store.items.get(KEY) ?? null) => {
    const item = stored ? { version: stored.version, data: structuredClone(stored.data) as ObjectRecord } : undefined;
    return finalStatus((ch) => handler.updated(handlerContext(object, item ? { stored: item } : {}), object, undefined, ch));
  };
  const deliveries = () => runStateOf(store.items.get(KEY) as { data: RunRecord }).deliveries;
  const events = (receiver: RecordingReceiver) => receiver.calls.filter((c) => c.run === RUN).map((c) => c.event);
  return { store, chat, scm, handler, deliver, deliveries, events };
};

describe("Class: PipelineHandler", () => {
  describe("Method: updated", () => {
    it("returns Completed after one claim write and one record write when the event calls receivers", async () => {
      // Prepare
      const { store, chat, scm, deliver, deliveries, events } = setup();

      // Act
      const status = await deliver(job("running"));

      // Assess
      expect(status.status).toBe(EventStatus.Completed);
      expect(store.operations.map((o) => o.op)).toEqual(["put", "setPaths"]);
      expect(events(chat)).toEqual(["created", "started", "progress"]);
      expect(events(scm)).toEqual(["created", "started", "progress"]);
      expect(deliveries().chat).toMatchObject({ created: { s: "done" }, started: { s: "done" }, progress: { s: "done" }, pc: 1 });
    });

    it("returns Skip without a write or a call when the same version arrives again", async () => {
      // Prepare
      const { store, chat, scm, deliver } = setup();
      await deliver(job("running"));
      const before = store.operations.length;

      // Act
      const status = await deliver(job("running"));

      // Assess
      expect(status).toMatchObject({ status: EventStatus.Skip, messages: { reason: "no change" } });
      expect(store.operations.slice(before)).toEqual([]);
      expect(chat.calls).toHaveLength(3);
      expect(scm.calls).toHaveLength(3);
    });

    it("re-reads the run and claims only what is still due when another writer stored it first", async () => {
      // Prepare: another process folded the pending event and delivered created after this one read nothing.
      const { store, chat, deliver, deliveries, events } = setup();
      await deliver(job("pending"));
      chat.calls.length = 0;

      // Act
      const status = await deliver(job("running"), null);

      // Assess
      expect(status.status).toBe(EventStatus.Completed);
      expect(store.operations.slice(-4)).toEqual([
        { op: "put", key: KEY, conflict: true },
        { op: "get", key: KEY },
        { op: "put", key: KEY, conflict: false },
        { op: "setPaths", key: KEY },
      ]);
      expect(events(chat)).toEqual(["started", "progress"]);
      expect(deliveries().chat).toMatchObject({ created: { s: "done" }, started: { s: "done" }, pc: 2 });
    });

    it("returns PartialCompleted with a retry and leaves only the failing receiver's marks open", async () => {
      // Prepare
      const { chat, scm, deliver, deliveries, events } = setup();
      scm.failNext(LifecycleEvent.Started, 1);

      // Act
      const status = await deliver(job("running"));

      // Assess
      expect(status).toMatchObject({ status: EventStatus.PartialCompleted, retry: true });
      expect(status.error?.message).toBe("scm refused started");
      expect(events(chat)).toEqual(["created", "started", "progress"]);
      expect(events(scm)).toEqual(["created"]);
      expect(deliveries().chat).toMatchObject({ created: { s: "done" }, started: { s: "done" }, progress: { s: "done" } });
      expect(deliveries().scm).toMatchObject({ created: { s: "done" }, started: { s: "open" }, progress: { s: "open" }, lastError: "scm refused started" });
    });

    it("calls only the receiver that failed when the event is retried", async () => {
      // Prepare
      const { chat, scm, deliver, events } = setup();
      scm.failNext(LifecycleEvent.Started, 1);
      await deliver(job("running"));

      // Act
      const status = await deliver(job("running"));

      // Assess
      expect(status.status).toBe(EventStatus.Completed);
      expect(events(chat)).toEqual(["created", "started", "progress"]);
      expect(events(scm)).toEqual(["created", "started", "progress"]);
    });

    it("marks the callback failed and asks for no retry when the receiver fails permanently", async () => {
      // Prepare
      const { scm, deliver, deliveries, events } = setup();
      scm.failNext(LifecycleEvent.Created, 1, () => new PermanentReceiverError("422 Unprocessable Entity"));

      // Act
      const status = await deliver(job("pending"));

      // Assess
      expect(status).toMatchObject({ status: EventStatus.PartialCompleted, retry: false });
      expect(deliveries().scm).toMatchObject({ created: { s: "failed" }, lastError: "422 Unprocessable Entity" });
      expect(events(scm)).toEqual([]);
    });

    it("returns Retry without a call or a write when the same event's calls are in flight elsewhere", async () => {
      // Prepare: a first delivery holds its created call open, so its claims are stored and unsettled.
      const { store, chat, scm, deliver } = setup();
      const release = chat.hold(LifecycleEvent.Created);
      const first = deliver(job("pending"));
      await vi.waitFor(() => expect(chat.attempts).toBe(1));
      const before = store.operations.length;

      // Act
      const second = await deliver(job("pending"));

      // Assess
      expect(second).toMatchObject({ status: EventStatus.Retry, messages: { waiting: "a call is in flight for chat, scm" } });
      expect(store.operations.slice(before)).toEqual([]);
      expect(chat.attempts).toBe(1);
      release();
      expect((await first).status).toBe(EventStatus.Completed);
      expect(scm.calls.map((c) => c.event)).toEqual(["created", "progress"]);
    });

    it("returns Skip without a write or a call when the event is older than the stored run", async () => {
      // Prepare
      const { store, chat, deliver } = setup();
      await deliver(job("succeeded"));
      const before = store.operations.length;

      // Act
      const status = await deliver(job("running"));

      // Assess
      expect(status).toMatchObject({ status: EventStatus.Skip, messages: { reason: "stale event" } });
      expect(store.operations.slice(before)).toEqual([]);
      expect(chat.calls.map((c) => c.event)).toEqual(["created", "started", "progress", "finished"]);
    });
  });
});

