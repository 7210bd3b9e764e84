import { describe, expect, it } from "vitest";
import { ApplyOutcome, WriteBackConsumer, type ApplyResult } from "../../../relay/writeback";
import { makeOperation, serializeOperation, type Operation, type OperationSource, type ReceivedOperation, type Settlement } from "../../../shared/operations";
import { eventually, memoryLog } from "./doubles";

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

/** A source whose one receive answers only when the test says so. */
class HeldSource implements OperationSource {
  readonly name = "held";
  readonly settled: Settlement[] = [];
  answer: (batch: ReceivedOperation[]) => void = () => undefined;
  receives = 0;

  receive(): Promise<ReceivedOperation[]> {
    this.receives++;
    return new Promise((resolve) => (this.answer = resolve));
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
    const applied: Operation[] = [];
    const { log } = memoryLog();
    const consumer = new WriteBackConsumer({ cluster: "private", source, log, applier: { apply: async (o) => (applied.push(o), { outcome: ApplyOutcome.Done, detail: "patched" }) } });
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
    const { log } = memoryLog();
    const consumer = new WriteBackConsumer({ cluster: "private", source, log, applier: { apply: async () => ({ outcome: ApplyOutcome.Done, detail: "patched" }) } });
    consumer.start();

    // Act
    await consumer.stop();
    source.answer([]);

    // Assess
    expect(await consumer.released).toBe(0);
    expect(source.settled).toEqual([]);
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
