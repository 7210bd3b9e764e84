import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Disposition, dispositionOf } from "../../shared/errors";
import { LifecycleEvent, type Receiver } from "../../shared/receivers";
import { useAwsEndpoints } from "../helpers/fake-aws/env";
import { FakeSns, snsError } from "../helpers/fake-aws/sns";
import { pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";

const failure = async (receiver: Receiver): Promise<Error> => {
  const error = await receiver.whenFinished(receiverContext(), pipelineInfo()).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error("expected Publish to fail");
  return error;
};

const attribute = (value: string) => ({ Type: "String", Value: value });

/** A message attribute's value in the query protocol's form fields (`MessageAttributes.entry.N.Name` / `.Value.StringValue`). */
const sentAttribute = (params: URLSearchParams, name: string): string | undefined => {
  for (let n = 1; params.has(`MessageAttributes.entry.${n}.Name`); n++) {
    if (params.get(`MessageAttributes.entry.${n}.Name`) === name) return params.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? undefined;
  }
  return undefined;
};

describe("Class: SnsReceiver", () => {
  const sns = new FakeSns();
  let restore: () => void;
  let topicArn: string;
  let everything: string;
  let failures: string;
  let receiver: Receiver;

  beforeAll(async () => {
    await sns.start();
    restore = useAwsEndpoints({ AWS_ENDPOINT_URL_SNS: sns.endpoint });
    topicArn = await sns.createTopic("ci-runs");
    everything = await sns.subscribeQueue(topicArn, "everything");
    failures = await sns.subscribeQueue(topicArn, "failures", { phase: ["failed", "errored", "timed_out"], namespace: ["ci"] });
    receiver = await startReceiver("sns", { topicArn }, "topic");
  });
  afterEach(async () => {
    sns.reset();
    await sns.received(everything);
    await sns.received(failures);
  });
  afterAll(async () => {
    restore();
    await sns.stop();
  });

  describe("Method: lifecycle callbacks", () => {
    it("publishes one message per callback with the run event document and filterable attributes", async () => {
      // Prepare
      const info = pipelineInfo({ phase: "failed" });

      // Act
      await runLifecycle(receiver, info);

      // Assess
      expect(sns.publishes).toHaveLength(4);
      const all = await sns.received(everything);
      expect(all.map((n) => JSON.parse(n.Message) as { event: string; phase: string })).toMatchObject([
        { event: "created", phase: "pending" },
        { event: "started", phase: "running" },
        { event: "progress", phase: "running" },
        { event: "finished", phase: "failed", id: "prod/ci/build-7k2x9", uid: info.uid, git: info.git, stages: info.stages },
      ]);
      expect(all[3]!.MessageAttributes).toEqual({
        event: attribute("finished"),
        phase: attribute("failed"),
        namespace: attribute("ci"),
        kind: attribute("PipelineRun"),
        cluster: attribute("prod"),
      });
      expect(all.every((n) => n.TopicArn === topicArn)).toBe(true);
    });

    it("lets a subscription's filter policy on phase and namespace pick the failed runs only", async () => {
      // Act
      await runLifecycle(receiver, pipelineInfo({ phase: "failed" }));
      await runLifecycle(receiver, pipelineInfo({ phase: "succeeded", uid: "second-run" }));
      await runLifecycle(receiver, pipelineInfo({ phase: "failed", namespace: "staging", uid: "third-run" }));

      // Assess
      expect(sns.publishes).toHaveLength(12);
      const picked = await sns.received(failures);
      expect(picked.map((n) => [n.MessageAttributes?.event?.Value, n.MessageAttributes?.phase?.Value, n.MessageAttributes?.namespace?.Value])).toEqual([
        ["finished", "failed", "ci"],
      ]);
    });

    it("publishes nothing for a callback outside `events`", async () => {
      // Prepare
      const finishedOnly = await startReceiver("sns", { topicArn, events: ["finished"] }, "topic-finished");

      // Act
      await runLifecycle(finishedOnly);

      // Assess
      expect(sns.publishes.map((p) => sentAttribute(p.params, "event"))).toEqual(["finished"]);
    });

    it("groups a FIFO topic's messages by run and deduplicates a repeated callback", async () => {
      // Prepare
      const fifoArn = await sns.createTopic("ci-runs.fifo");
      const queue = await sns.subscribeQueue(fifoArn, "ordered.fifo");
      const fifo = await startReceiver("sns", { topicArn: fifoArn }, "topic-fifo");
      const info = pipelineInfo();

      // Act
      await fifo.whenFinished(receiverContext(LifecycleEvent.Finished), info);
      await fifo.whenFinished(receiverContext(LifecycleEvent.Finished), info);

      // Assess
      expect(sns.publishes).toHaveLength(2);
      const [first, second] = sns.publishes.map((p) => p.params);
      expect(first!.get("MessageGroupId")).toBe(info.uid);
      expect(first!.get("MessageDeduplicationId")).toMatch(/^[0-9a-f]{32}$/);
      expect(second!.get("MessageDeduplicationId")).toBe(first!.get("MessageDeduplicationId"));
      const delivered = await sns.received(queue);
      expect(delivered).toHaveLength(1);
      expect((JSON.parse(delivered[0]!.Message) as { deliveryId: string }).deliveryId).toBe(first!.get("MessageDeduplicationId"));
    });
  });

  describe("Method: error classification", () => {
    it("retries a Throttled answer with the queue's backoff after a single attempt (the SDK does not retry)", async () => {
      // Prepare
      sns.answerNext(snsError(429, "Throttled", "Rate exceeded"), 3);

      // Act
      const error = await failure(receiver);

      // Assess
      expect(sns.publishes).toHaveLength(1);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(error.message).toBe(`sns topic: Publish to ${topicArn}: throttled, ThrottledException (429): Rate exceeded`);
    });

    it("waits as long as a throttled answer's Retry-After says", async () => {
      // Prepare
      sns.answerNext(snsError(429, "Throttled", "Rate exceeded", { "retry-after": "12" }));
      const before = Date.now();

      // Act
      const error = await failure(receiver);

      // Assess
      const { disposition, notBefore } = dispositionOf(error);
      expect(disposition).toBe(Disposition.Retry);
      expect(notBefore! - before).toBeGreaterThanOrEqual(12_000);
      expect(notBefore! - Date.now()).toBeLessThanOrEqual(12_000);
    });

    it("retries a 500 InternalError", async () => {
      // Prepare
      sns.answerNext(snsError(500, "InternalError", "Internal server error"), 3);

      // Act
      const error = await failure(receiver);

      // Assess
      expect(sns.publishes).toHaveLength(1);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
    });

    it("fails for good when the role may not publish, naming the permission", async () => {
      // Prepare
      sns.answerNext(snsError(403, "AuthorizationError", "User is not authorized to perform: SNS:Publish"));

      // Act
      const error = await failure(receiver);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toContain(`the function's role needs sns:Publish on ${topicArn}`);
    });

    it("fails for good on a topic that does not exist", async () => {
      // Prepare
      const missing = await startReceiver("sns", { topicArn: topicArn.replace("ci-runs", "gone") }, "topic-gone");

      // Act
      const error = await failure(missing);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toMatch(/NotFound.* \(404\)/);
    });
  });
});
