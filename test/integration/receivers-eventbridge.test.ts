import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Disposition, dispositionOf } from "../../shared/errors";
import { LifecycleEvent, type Receiver } from "../../shared/receivers";
import { awsJsonError, FakeEventBridge } from "../helpers/fake-aws/eventbridge";
import { useAwsEndpoints } from "../helpers/fake-aws/env";
import { pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";

const BUS = "ci-events";

/** A loopback URL where nothing listens: a port that was just free. */
const closedEndpoint = async (): Promise<string> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
};

const failure = async (receiver: Receiver): Promise<Error> => {
  const error = await receiver.whenFinished(receiverContext(), pipelineInfo()).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error("expected PutEvents to fail");
  return error;
};

describe("Class: EventBridgeReceiver", () => {
  const bus = new FakeEventBridge();
  let restore: () => void;
  let receiver: Receiver;

  beforeAll(async () => {
    await bus.start();
    restore = useAwsEndpoints({ AWS_ENDPOINT_URL_EVENTBRIDGE: bus.baseUrl });
    receiver = await startReceiver("eventbridge", { eventBusName: BUS }, "bus");
  });
  afterEach(() => {
    bus.reset();
  });
  afterAll(async () => {
    restore();
    await bus.stop();
  });

  describe("Method: lifecycle callbacks", () => {
    it("puts one Pipeline Run State Change event per callback, in order, on the configured bus", async () => {
      // Act
      await runLifecycle(receiver);

      // Assess
      expect(bus.putEventsCalls).toHaveLength(4);
      expect(bus.putEventsCalls.map((r) => (r.json as { Entries: unknown[] }).Entries.length)).toEqual([1, 1, 1, 1]);
      expect(bus.events.map((e) => [e.eventBusName, e.source, e.detailType])).toEqual(
        Array.from({ length: 4 }, () => [BUS, "kube-feedback", "Pipeline Run State Change"]),
      );
      expect(bus.events.map((e) => [e.detail.event, e.detail.phase])).toEqual([
        ["created", "pending"],
        ["started", "running"],
        ["progress", "running"],
        ["finished", "succeeded"],
      ]);
    });

    it("sends the documented detail for a finished run: identity, phase, stages, git and timestamps", async () => {
      // Prepare
      const info = pipelineInfo({ phase: "failed", message: "Tasks Completed: 2 (Failed: 1)", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } });

      // Act
      await receiver.whenFinished(receiverContext(LifecycleEvent.Finished), info);

      // Assess
      expect(bus.events).toHaveLength(1);
      const { deliveryId, ...detail } = bus.events[0]!.detail;
      expect(deliveryId).toMatch(/^[0-9a-f]{32}$/);
      expect(detail).toEqual({
        version: "1",
        event: "finished",
        id: "prod/ci/build-7k2x9",
        cluster: "prod",
        namespace: "ci",
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        name: "build-7k2x9",
        uid: info.uid,
        phase: "failed",
        message: "Tasks Completed: 2 (Failed: 1)",
        startedAt: "2024-05-01T10:00:00Z",
        finishedAt: "2024-05-01T10:02:05Z",
        dashboardUrl: info.dashboardUrl,
        git: info.git,
        labels: { "tekton.dev/pipeline": "build" },
        stages: info.stages,
      });
    });

    it("puts the same deliveryId on a repeated callback, so a consumer can drop the repeat", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(bus.events).toHaveLength(2);
      expect(bus.events[0]!.detail.deliveryId).toBe(bus.events[1]!.detail.deliveryId);
      expect(bus.events[0]!.id).not.toBe(bus.events[1]!.id);
    });

    it("puts nothing for a callback outside `events`, and uses the configured source", async () => {
      // Prepare
      const finishedOnly = await startReceiver("eventbridge", { eventBusName: BUS, source: "acme.ci", events: ["finished"] }, "bus-finished");

      // Act
      await runLifecycle(finishedOnly);

      // Assess
      expect(bus.putEventsCalls).toHaveLength(1);
      expect(bus.events.map((e) => [e.source, e.detail.event])).toEqual([["acme.ci", "finished"]]);
    });
  });

  describe("Method: error classification", () => {
    it.each([
      { code: "ThrottlingException", message: "Rate exceeded" },
      { code: "InternalFailure", message: "An internal error occurred" },
    ])("retries a 200 whose entry failed with $code: the event is not on the bus", async ({ code, message }) => {
      // Prepare
      bus.failNextEntries(code, message);

      // Act
      const error = await failure(receiver);

      // Assess
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(error.message).toContain(code);
      expect(bus.events).toHaveLength(0);
      expect(bus.putEventsCalls).toHaveLength(1);
    });

    it("fails for good on an entry refused for a reason a retry does not change", async () => {
      // Prepare
      bus.failNextEntries("NotAuthorizedForSourceException", "Not authorized for the source.");

      // Act
      const error = await failure(receiver);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toBe("eventbridge bus: PutEvents on ci-events: entry refused: NotAuthorizedForSourceException: Not authorized for the source.");
    });

    it("retries a throttled request with the queue's backoff after a single attempt (the SDK does not retry)", async () => {
      // Prepare
      bus.answerNext(awsJsonError(400, "ThrottlingException", "Rate exceeded"), 3);

      // Act
      const error = await failure(receiver);

      // Assess
      expect(bus.putEventsCalls).toHaveLength(1);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(error.message).toContain("throttled, ThrottlingException (400)");
    });

    it("waits as long as a throttled answer's Retry-After says", async () => {
      // Prepare
      bus.answerNext(awsJsonError(400, "ThrottlingException", "Rate exceeded", { "retry-after": "7" }));

      const before = Date.now();

      // Act
      const error = await failure(receiver);

      // Assess
      const { disposition, notBefore } = dispositionOf(error);
      expect(disposition).toBe(Disposition.Retry);
      expect(notBefore! - before).toBeGreaterThanOrEqual(7_000);
      expect(notBefore! - Date.now()).toBeLessThanOrEqual(7_000);
    });

    it("retries a 500 InternalException once per delivery", async () => {
      // Prepare
      bus.answerNext(awsJsonError(500, "InternalException", "Internal error"), 3);

      // Act
      const error = await failure(receiver);

      // Assess
      expect(bus.putEventsCalls).toHaveLength(1);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
    });

    it("retries when no endpoint answers", async () => {
      // Prepare
      const back = useAwsEndpoints({ AWS_ENDPOINT_URL_EVENTBRIDGE: await closedEndpoint() });
      const unreachable = await startReceiver("eventbridge", { eventBusName: BUS }, "bus-unreachable");

      // Act
      const error = await failure(unreachable).finally(back);

      // Assess
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(error.message).toMatch(/^eventbridge bus-unreachable: PutEvents on ci-events: .*\(no response\)/);
    });

    it("does not start without a region, and says where the region comes from", async () => {
      // Prepare
      const back = useAwsEndpoints({ AWS_CONFIG_FILE: "/nonexistent/aws-config", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials" });
      delete process.env.AWS_REGION;

      // Act
      const error = await startReceiver("eventbridge", { eventBusName: BUS }, "bus-nowhere").then(
        () => undefined,
        (e: unknown) => e as Error,
      ).finally(back);

      // Assess
      expect(error?.message).toBe("receiver bus-nowhere: no AWS region: set AWS_REGION (or a profile's region)");
    });

    it("fails for good when the role may not put events, naming the permission", async () => {
      // Prepare
      bus.answerNext(awsJsonError(400, "AccessDeniedException", "User is not authorized to perform: events:PutEvents"));

      // Act
      const error = await failure(receiver);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toContain("the function's role needs events:PutEvents on the bus ci-events");
    });
  });
});
