import { describe, expect, it } from "vitest";
import { makeEnvelope, type Envelope } from "../../../shared/envelope";
import { EnvelopeBuffer } from "../../../relay/buffer";
import type { SendReport, Sink } from "../../../relay/sinks/types";
import { CountingSink, eventually, pipelineRun } from "./doubles";

const envelopes = (count: number, prefix = "run"): Envelope[] =>
  Array.from({ length: count }, (_, i) => makeEnvelope("dev", "ADDED", pipelineRun(`${prefix}-${i}`)));

const FAST_RETRY = { baseMs: 1, maxMs: 5 };

describe("Class: EnvelopeBuffer", () => {
  describe("Method: offer", () => {
    it("sends full batches of ten at once and the rest after the linger", async () => {
      // Prepare
      const sink = new CountingSink();
      const buffer = new EnvelopeBuffer(sink, { lingerMs: 5 });

      // Act
      for (const envelope of envelopes(23)) buffer.offer(envelope);
      await eventually("all 23 are sent", () => sink.envelopes.length === 23);

      // Assess
      expect(sink.batches.map((b) => b.length)).toEqual([10, 10, 3]);
      expect(buffer.delivered).toBe(23);
      expect(buffer.depth).toBe(0);
    });

    it("returns false when the buffer is full, and true again once it drained to resumeAt", async () => {
      // Prepare
      const sink = new CountingSink();
      sink.failures = 3;
      const buffer = new EnvelopeBuffer(sink, { lingerMs: 1, capacity: 10, resumeAt: 5, retry: FAST_RETRY });
      const [first = [], second = []] = [envelopes(10, "a"), envelopes(1, "b")];
      for (const envelope of first) expect(buffer.offer(envelope)).toBe(true);

      // Act
      const refused = buffer.offer(second[0]!);
      await buffer.whenWritable();
      const accepted = buffer.offer(second[0]!);
      await buffer.flush();

      // Assess
      expect(refused).toBe(false);
      expect(accepted).toBe(true);
      expect(sink.calls).toBe(3 + 2);
      expect(sink.envelopes.map((e) => e.object.metadata.name)).toEqual([...first, ...second].map((e) => e.object.metadata.name));
    });
  });

  describe("Method: flush", () => {
    it("resolves only after a failing sink finally took every envelope, in order", async () => {
      // Prepare
      const sink = new CountingSink();
      sink.failures = 4;
      const buffer = new EnvelopeBuffer(sink, { lingerMs: 1_000, retry: FAST_RETRY });
      const sent = envelopes(3);
      for (const envelope of sent) buffer.offer(envelope);

      // Act
      await buffer.flush();

      // Assess
      expect(sink.calls).toBe(5);
      expect(sink.envelopes).toEqual(sent);
      expect(buffer.depth).toBe(0);
    });

    it("retries only the entries a sink reported as failed and does not retry rejected ones", async () => {
      // Prepare
      const calls: string[][] = [];
      let attempt = 0;
      const sink: Sink = {
        name: "partial",
        async send(batch): Promise<SendReport> {
          calls.push(batch.map((e) => e.object.metadata.name));
          attempt++;
          if (attempt > 1) return { sent: batch.length, retry: [], rejected: [] };
          return { sent: 1, retry: [batch[1]!], rejected: [{ envelope: batch[2]!, reason: "InvalidMessageContents" }] };
        },
      };
      const rejected: string[] = [];
      const buffer = new EnvelopeBuffer(sink, { lingerMs: 1, retry: FAST_RETRY }, { rejected: (e) => rejected.push(e.object.metadata.name) });
      for (const envelope of envelopes(3)) buffer.offer(envelope);

      // Act
      await buffer.flush();

      // Assess
      expect(calls).toEqual([["run-0", "run-1", "run-2"], ["run-1"]]);
      expect(rejected).toEqual(["run-2"]);
      expect(buffer.delivered).toBe(3);
      expect(buffer.rejected).toBe(1);
    });
  });

  describe("Method: abandon", () => {
    it("returns how many were dropped and resolves a pending flush without sending them", async () => {
      // Prepare
      const sink = new CountingSink();
      sink.failures = Number.POSITIVE_INFINITY;
      const buffer = new EnvelopeBuffer(sink, { lingerMs: 1, retry: FAST_RETRY });
      for (const envelope of envelopes(4)) buffer.offer(envelope);
      const flushed = buffer.flush();
      await eventually("the sink was tried", () => sink.calls > 0);

      // Act
      const dropped = buffer.abandon();
      await flushed;

      // Assess
      expect(dropped).toBe(4);
      expect(sink.envelopes).toHaveLength(0);
      expect(buffer.depth).toBe(0);
    });
  });
});
