import { describe, expect, it } from "vitest";
import { makeEnvelope, messageGroupId, type Envelope } from "../../../shared/envelope";
import { EnvelopeBuffer } from "../../../relay/buffer";
import type { SendReport, Sink } from "../../../relay/sinks/types";
import { pipelineRun } from "./doubles";

/** `runs` runs with `events` envelopes each, interleaved: every run's first event, then every run's second, and so on. */
const envelopesOf = (runs: number, events: number): Envelope[] => {
  const objects = Array.from({ length: runs }, (_, run) => pipelineRun(`run-${run}`));
  return Array.from({ length: events }, (_, i) =>
    objects.map((object) => makeEnvelope("dev", i === 0 ? "ADDED" : "MODIFIED", { ...object, metadata: { ...object.metadata, resourceVersion: String(i) } })),
  ).flat();
};

/**
 * Holds every send until the test answers it, newest first, so that a batch
 * sent later is accepted earlier. Records, per send, whether any envelope's
 * group had an earlier envelope not yet accepted.
 */
class HoldingSink implements Sink {
  readonly name = "holding";
  readonly concurrency: number;
  readonly held: Array<{ batch: Envelope[]; accept: () => void }> = [];
  readonly accepted: Envelope[] = [];
  readonly unaccepted = new Map<string, number>();
  outOfOrder = 0;
  maxConcurrent = 0;

  constructor(concurrency: number) {
    this.concurrency = concurrency;
  }

  async send(envelopes: readonly Envelope[]): Promise<SendReport> {
    const batch = [...envelopes];
    for (const envelope of batch) {
      const group = messageGroupId(envelope);
      if ((this.unaccepted.get(group) ?? 0) > 0 && !batch.slice(0, batch.indexOf(envelope)).some((e) => messageGroupId(e) === group)) this.outOfOrder++;
    }
    for (const envelope of batch) this.unaccepted.set(messageGroupId(envelope), (this.unaccepted.get(messageGroupId(envelope)) ?? 0) + 1);
    await new Promise<void>((accept) => {
      this.held.push({ batch, accept });
      this.maxConcurrent = Math.max(this.maxConcurrent, this.held.length);
    });
    for (const envelope of batch) this.unaccepted.set(messageGroupId(envelope), this.unaccepted.get(messageGroupId(envelope))! - 1);
    this.accepted.push(...batch);
    return { sent: batch.length, retry: [], rejected: [] };
  }

  /** Accepts the newest held send; false when none is held. */
  acceptNewest(): boolean {
    const newest = this.held.pop();
    newest?.accept();
    return newest !== undefined;
  }
}

const drain = async (sink: HoldingSink, buffer: EnvelopeBuffer): Promise<void> => {
  const flushed = buffer.flush();
  let done = false;
  void flushed.then(() => (done = true));
  while (!done) {
    if (!sink.acceptNewest()) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setImmediate(resolve));
  }
};

describe("Class: EnvelopeBuffer", () => {
  describe("Method: offer, with a sink that takes several batches at once", () => {
    it("has up to `concurrency` batches in flight and sends a group's next envelope only after its previous one was accepted", async () => {
      // Prepare
      const sink = new HoldingSink(4);
      const buffer = new EnvelopeBuffer(sink, { lingerMs: 1 });
      const offered = envelopesOf(40, 5);

      // Act
      for (const envelope of offered) buffer.offer(envelope);
      await drain(sink, buffer);

      // Assess
      expect(sink.maxConcurrent).toBe(4);
      expect(buffer.maxInFlight).toBe(4);
      expect(sink.outOfOrder).toBe(0);
      expect(sink.accepted).toHaveLength(offered.length);
      const order = (envelopes: Envelope[], run: string) => envelopes.filter((e) => e.object.metadata.name === run).map((e) => e.object.metadata.resourceVersion);
      for (let run = 0; run < 40; run++) expect(order(sink.accepted, `run-${run}`)).toEqual(["0", "1", "2", "3", "4"]);
    });

    it("sends one batch at a time when every envelope belongs to one group", async () => {
      // Prepare
      const sink = new HoldingSink(4);
      const buffer = new EnvelopeBuffer(sink, { lingerMs: 1 });
      const offered = envelopesOf(1, 35);

      // Act
      for (const envelope of offered) buffer.offer(envelope);
      await drain(sink, buffer);

      // Assess
      expect(sink.maxConcurrent).toBe(1);
      expect(sink.accepted.map((e) => e.object.metadata.resourceVersion)).toEqual(offered.map((e) => e.object.metadata.resourceVersion));
    });
  });
});
