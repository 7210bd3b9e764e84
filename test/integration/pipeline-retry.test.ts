import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { LifecycleEvent } from "../../shared/receivers";
import { RecordingReceiver } from "../helpers/recording-receiver";

const finishedJob = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "nightly-1", namespace: "ci", uid: "job-retry-1", resourceVersion: "7" },
  status: {
    startTime: "2026-11-20T10:00:00Z",
    completionTime: "2026-11-20T10:01:00Z",
    succeeded: 1,
    conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2026-11-20T10:01:00Z" }],
  },
};

describe("Class: PipelineHandler", () => {
  let stack: LocalStack;
  const healthy = new RecordingReceiver("healthy");
  const flaky = new RecordingReceiver("flaky").failNext(LifecycleEvent.Created, 2);

  beforeAll(async () => {
    const config = parseConfig({
      cluster: "retry",
      watch: [{ group: "batch", version: "v1", resource: "jobs" }],
      receivers: [
        { name: "healthy", type: "console" },
        { name: "flaky", type: "console" },
      ],
      processing: { backoff: { baseSeconds: 1, capSeconds: 1 } },
    });
    const [a, b] = config.receivers;
    stack = await startLocalStack({
      config,
      process: { receivers: [{ receiver: healthy, entry: a! }, { receiver: flaky, entry: b! }] },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe("Method: updated", () => {
    it("retries only the receiver that failed and keeps the lifecycle order for both", async () => {
      // Act: a run first seen already finished, so every callback is due at once.
      await stack.relay.ship("ADDED", finishedJob);
      await stack.relay.flush();
      await stack.poller.drained(50);

      // Assess
      const run = "retry/ci/nightly-1";
      expect(healthy.lifecycle(run)).toEqual(["created", "started", "finished"]);
      expect(healthy.attempts).toBe(4);
      expect(flaky.lifecycle(run)).toEqual(["created", "started", "finished"]);
      // Two refused created calls, then created, started, progress, finished.
      expect(flaky.attempts).toBe(6);
      expect(stack.poller.stats.failures).toBe(2);
      expect(stack.poller.stats.records).toBe(3);
    });
  });
});
