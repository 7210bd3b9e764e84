import { describe, expect, it, vi } from "vitest";
import { ApplyOutcome, WriteBackConsumer, type ApplyResult } from "../../../relay/writeback";
import { makeOperation, serializeOperation, type Operation, type OperationSource, type ReceivedOperation, type Settlement } from "../../../shared/operations";
import { eventually, HeldSource, memoryLog } from "./doubles";

/** A source that hands out queued batches once each, then waits, and records what was settled. */
class ScriptedSource implements OperationSource {
  readonly name = "scripted";
  readonly settled: Settlement[] = [];
  readonly #batches: ReceivedOperation[][];

  constructor(batches: ReceivedOperation[][]) {
    this.#batches = batches;
  }

  async receive(_waitSeconds: number, signal: AbortSignal): Promise<ReceivedOperation[]> {
    const next = this.#batches.shift();
    if (next) return next;
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    return [];
  }

  async settle(settlement: Settlement): Promise<void> {
    this.settled.push(structuredClone(settlement));
  }
}

const AT = new Date("2026-11-20T10:00:00Z");
const patch = (cluster: string, name = "deploy") => makeOperation(cluster, { op: "patchStatus", namespace: "apps", name, uid: `uid-${name}`, status: { isSynced: true } }, AT);
let seq = 0;
const message = (body: string, receiveCount = 1): ReceivedOperation => ({ id: `m-${++seq}`, body, handle: `h-${seq}`, receiveCount });

const run = async (batch: ReceivedOperation[], outcome: (operation: Operation) => ApplyResult) => {
  const source = new ScriptedSource([batch]);
  const applied: Operation[] = [];
  const { log, lines } = memoryLog();
  const consumer = new WriteBackConsumer({
    cluster: "private",
    source,
    log,
    applier: {
      apply: async (operation) => {
        applied.push(operation);
        return outcome(operation);
      },
    },
  });
  consumer.start();
  await eventually("the batch is settled", () => source.settled.length === 1);
  await consumer.stop();
  return { settled: source.settled[0]!, applied, lines, stats: consumer.stats };
};

/** A consumer of `source` for cluster "private" whose applier records what it applies and answers Done. */
const doneConsumer = (source: OperationSource, options: { waitSeconds?: number } = {}) => {
  const applied: Operation[] = [];
  const { log } = memoryLog();
  const apply = async (operation: Operation): Promise<ApplyResult> => (applied.push(operation), { outcome: ApplyOutcome.Done, detail: "patched" });
  return { consumer: new WriteBackConsumer({ cluster: "private", source, log, ...options, applier: { apply } }), applied };
};

describe("Class: WriteBackConsumer", () => {
  it("applies its own cluster's operations in order and deletes them", async () => {
    // Prepare
    const batch = [message(serializeOperation(patch("private", "a"))), message(serializeOperation(patch("private", "b")))];

    // Act
    const { settled, applied } = await run(batch, () => ({ outcome: ApplyOutcome.Done, detail: "patched" }));

    // Assess
    expect(applied.map((o) => (o as { name: string }).name)).toEqual(["a", "b"]);
    expect(settled).toEqual({ done: [batch[0]!.handle, batch[1]!.handle], retry: [] });
  });

  it("never applies an operation for another cluster or an invalid one, and deletes both with an error logged", async () => {
    // Prepare
    const batch = [message(serializeOperation(patch("elsewhere"))), message('{"v":1}')];

    // Act
    const { settled, applied, lines, stats } = await run(batch, () => ({ outcome: ApplyOutcome.Done, detail: "patched" }));

    // Assess
    expect(applied).toEqual([]);
    expect(settled.done).toEqual(batch.map((m) => m.handle));
    expect(stats.refused).toBe(2);
    expect(lines.filter((l) => l.level === "error").map((l) => l.message)).toEqual(["operation for another cluster refused and deleted", "invalid operation deleted"]);
    expect(lines[0]!.fields).toMatchObject({ cluster: "elsewhere", relayCluster: "private" });
  });

  it("puts a failed operation back after a wait that grows with its receives", async () => {
    // Prepare
    const batch = [message(serializeOperation(patch("private", "a")), 1), message(serializeOperation(patch("private", "b")), 4)];

    // Act
    const { settled } = await run(batch, () => ({ outcome: ApplyOutcome.Retry, detail: "500" }));

    // Assess
    expect(settled).toEqual({ done: [], retry: [{ handle: batch[0]!.handle, delaySeconds: 2 }, { handle: batch[1]!.handle, delaySeconds: 16 }] });
  });

  it("leaves forbidden operations on the queue and says so once", async () => {
    // Prepare
    const batch = [message(serializeOperation(patch("private", "a"))), message(serializeOperation(patch("private", "b")))];

    // Act
    const { settled, lines, stats } = await run(batch, () => ({ outcome: ApplyOutcome.Forbidden, detail: "403 forbidden" }));

    // Assess
    expect(settled).toEqual({ done: [], retry: [] });
    expect(stats.forbidden).toBe(2);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
    expect(lines.find((l) => l.level === "error")!.message).toMatch(/RBAC lacks it/);
  });

  it("stops without waiting for a receive in flight, then hands back unapplied what it brings", async () => {
    // Prepare
    const source = new HeldSource();
    const { consumer, applied } = doneConsumer(source);
    const batch = [message(serializeOperation(patch("private", "a"))), message(serializeOperation(patch("private", "b")))];
    consumer.start();

    // Act
    await consumer.stop();
    const settledAtStop = source.settled.length;
    source.answer(batch);
    const released = await consumer.released;

    // Assess
    expect(settledAtStop).toBe(0);
    expect(released).toBe(2);
    expect(source.settled).toEqual([{ done: [], retry: batch.map((m) => ({ handle: m.handle, delaySeconds: 0 })) }]);
    expect(applied).toEqual([]);
    expect(source.receives).toBe(1);
  });

  it("settles nothing when the receive in flight at stop brings nothing", async () => {
    // Prepare
    const source = new HeldSource();
    const { consumer } = doneConsumer(source);
    consumer.start();

    // Act
    await consumer.stop();
    source.answer([]);

    // Assess
    expect(await consumer.released).toBe(0);
    expect(source.settled).toEqual([]);
  });

  it("applies nothing a receive brings in the very turn it stops, and hands it back", async () => {
    // Prepare
    const source = new HeldSource();
    const { consumer, applied } = doneConsumer(source);
    const batch = [message(serializeOperation(patch("private", "a")))];
    consumer.start();

    // Act: the answer and the stop in one turn, as a lease lost while the poll answers.
    source.answer(batch);
    await consumer.stop();

    // Assess
    expect(await consumer.released).toBe(1);
    expect(applied).toEqual([]);
    expect(source.settled).toEqual([{ done: [], retry: [{ handle: batch[0]!.handle, delaySeconds: 0 }] }]);
  });

  it("finishes the operation it is applying when stopped, and hands back the rest of the round unapplied", async () => {
    // Prepare
    const source = new HeldSource();
    const applied: string[] = [];
    let finishFirst!: () => void;
    const firstApplying = new Promise<void>((resolve) => (finishFirst = resolve));
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const { log } = memoryLog();
    const consumer = new WriteBackConsumer({
      cluster: "private",
      source,
      log,
      applier: {
        apply: async (operation) => {
          started();
          await firstApplying;
          applied.push((operation as { name: string }).name);
          return { outcome: ApplyOutcome.Done, detail: "patched" };
        },
      },
    });
    const batch = ["a", "b", "c"].map((name) => message(serializeOperation(patch("private", name))));
    consumer.start();
    source.answer(batch);
    await firstStarted;

    // Act
    const stopping = consumer.stop();
    finishFirst();
    await stopping;

    // Assess
    expect(applied).toEqual(["a"]);
    expect(source.settled).toEqual([{ done: [batch[0]!.handle], retry: [batch[1]!, batch[2]!].map((m) => ({ handle: m.handle, delaySeconds: 0 })) }]);
    expect(await consumer.released).toBe(2);
  });

  it("stops like a crash with handBack false, even when stopped again after: the receive is aborted and what it brings is not handed back", async () => {
    // Prepare: a receive that answers with a message as it is aborted.
    const source = new HeldSource();
    source.onAbort = [message(serializeOperation(patch("private", "a")))];
    const { consumer, applied } = doneConsumer(source);
    consumer.start();

    // Act
    await consumer.stop({ handBack: false });
    await consumer.stop();

    // Assess
    expect(source.aborted).toBe(true);
    expect(await consumer.released).toBe(0);
    expect(source.settled).toEqual([]);
    expect(applied).toEqual([]);
  });

  it("says nothing was handed back when stopped before it started", async () => {
    // Prepare
    const source = new HeldSource();
    const { consumer } = doneConsumer(source);

    // Act
    await consumer.stop();

    // Assess
    expect(await consumer.released).toBe(0);
    expect(source.receives).toBe(0);
  });

  it("aborts a receive still unanswered 10 s past its wait after stop, and hands back nothing", async () => {
    vi.useFakeTimers();
    try {
      // Prepare
      const source = new HeldSource();
      const { consumer } = doneConsumer(source, { waitSeconds: 5 });
      consumer.start();
      await consumer.stop();

      // Act
      await vi.advanceTimersByTimeAsync(14_999);
      const abortedEarly = source.aborted;
      await vi.advanceTimersByTimeAsync(1);

      // Assess
      expect(abortedEarly).toBe(false);
      expect(source.aborted).toBe(true);
      expect(await consumer.released).toBe(0);
      expect(source.settled).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("deletes what the API server refuses for good", async () => {
    // Prepare
    const batch = [message(serializeOperation(patch("private")))];

    // Act
    const { settled, stats } = await run(batch, () => ({ outcome: ApplyOutcome.Refused, detail: "422 invalid" }));

    // Assess
    expect(settled.done).toEqual([batch[0]!.handle]);
    expect(stats.refused).toBe(1);
  });
});
