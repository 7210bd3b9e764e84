import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Disposition, dispositionOf, type FeedbackError } from "../../shared/errors";
import type { PipelineInfo } from "../../shared/pipeline/types";
import { LifecycleEvent, PermanentReceiverError, ReceiverError, type Receiver } from "../../shared/receivers";
import { pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";
import { FakePagerDuty } from "../helpers/fake-pager";

const KEY_VAR = "KF_TEST_PAGERDUTY_KEY";
const INCIDENT = "kube-feedback/prod/ci/build";

/** A run of the `build` Pipeline (its reruns share the status name `ci/build`), started at `startedAt`. */
const run = (name: string, phase: PipelineInfo["phase"], startedAt: string): PipelineInfo =>
  pipelineInfo({
    id: `prod/ci/${name}`,
    uid: `uid-${name}`,
    name,
    phase,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 125_000).toISOString(),
    stages: [
      { name: "fetch", phase: "succeeded", startedAt, finishedAt: startedAt },
      { name: "test", phase: phase === "succeeded" ? "succeeded" : "failed", message: phase === "succeeded" ? undefined : '"step-build" exited with code 1' },
    ],
  });

const finish = (receiver: Receiver, info: PipelineInfo): Promise<unknown> =>
  receiver.whenFinished(receiverContext(), info).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("Class: PagerDutyReceiver", () => {
  const pagerduty = new FakePagerDuty();
  let receiver: Receiver;

  beforeAll(async () => {
    await pagerduty.start();
    process.env[KEY_VAR] = pagerduty.routingKey;
  });
  beforeEach(async () => {
    // A receiver per test: each starts with an empty memory of what it sent.
    receiver = await startReceiver("pagerduty", { routingKey: `env:${KEY_VAR}`, apiUrl: pagerduty.baseUrl });
  });
  afterEach(() => {
    pagerduty.reset();
  });
  afterAll(async () => {
    delete process.env[KEY_VAR];
    await pagerduty.stop();
  });

  describe("Method: whenFinished", () => {
    it("triggers an incident for a failed run, with the run as the alert's payload", async () => {
      // Prepare
      const failed = run("build-7k2x9", "failed", "2024-05-01T10:00:00Z");

      // Act
      await receiver.whenFinished(receiverContext(), failed);

      // Assess
      expect(pagerduty.events).toEqual([
        {
          routing_key: pagerduty.routingKey,
          event_action: "trigger",
          dedup_key: INCIDENT,
          payload: {
            summary: 'PipelineRun ci/build-7k2x9 failed in 2m 05s at test: "step-build" exited with code 1',
            source: "prod/ci",
            severity: "error",
            timestamp: "2024-05-01T10:02:05.000Z",
            component: "build",
            group: "ci",
            class: "PipelineRun",
            custom_details: {
              run: "build-7k2x9",
              kind: "PipelineRun",
              cluster: "prod",
              namespace: "ci",
              phase: "failed",
              failed_stage: "test",
              reason: '"step-build" exited with code 1',
              commit: "acme/shop-api@3f78685 (main)",
              stages: { fetch: "✅ Succeeded · 0s", test: "❌ Failed" },
            },
          },
          links: [
            { href: failed.dashboardUrl, text: "View run" },
            { href: "https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b", text: "Commit acme/shop-api@3f78685 (main)" },
          ],
          client: "kube-feedback",
          client_url: failed.dashboardUrl,
        },
      ]);
      expect(pagerduty.incidents.get(INCIDENT)?.status).toBe("triggered");
    });

    it("resolves the incident when a later run of the same pipeline succeeds", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"));
      await receiver.whenFinished(receiverContext(), run("build-q8w2z", "succeeded", "2024-05-01T10:30:00Z"));

      // Assess
      expect(pagerduty.events.map((e) => [e.event_action, e.dedup_key])).toEqual([
        ["trigger", INCIDENT],
        ["resolve", INCIDENT],
      ]);
      expect(pagerduty.requests[1]!.json).toEqual({ routing_key: pagerduty.routingKey, event_action: "resolve", dedup_key: INCIDENT });
      expect(pagerduty.incidents.get(INCIDENT)).toMatchObject({ status: "resolved", alerts: 1 });
    });

    it("sends a repeated delivery of one failed run once and adds the next failed run to the open incident", async () => {
      // Prepare
      const first = run("build-7k2x9", "failed", "2024-05-01T10:00:00Z");

      // Act
      await receiver.whenFinished(receiverContext(), first);
      await receiver.whenFinished(receiverContext(), first);
      await receiver.whenFinished(receiverContext(), run("build-m4n5p", "errored", "2024-05-01T10:10:00Z"));

      // Assess
      expect(pagerduty.requests).toHaveLength(2);
      expect(pagerduty.incidents.get(INCIDENT)).toMatchObject({ status: "triggered", alerts: 2 });
    });

    it("sends one resolve for a success it knows nothing about, and none for the next success", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), run("build-7k2x9", "succeeded", "2024-05-01T10:00:00Z"));
      await receiver.whenFinished(receiverContext(), run("build-q8w2z", "succeeded", "2024-05-01T10:30:00Z"));

      // Assess
      expect(pagerduty.events.map((e) => e.event_action)).toEqual(["resolve"]);
      expect(pagerduty.incidents.size).toBe(0);
    });

    it("leaves the incident open when an older run succeeds after a newer run failed", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), run("build-q8w2z", "failed", "2024-05-01T10:30:00Z"));
      await receiver.whenFinished(receiverContext(), run("build-7k2x9", "succeeded", "2024-05-01T10:00:00Z"));

      // Assess
      expect(pagerduty.events.map((e) => e.event_action)).toEqual(["trigger"]);
      expect(pagerduty.incidents.get(INCIDENT)?.status).toBe("triggered");
    });

    it("keys incidents by cluster: the same pipeline failing on two clusters opens two", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"));
      await receiver.whenFinished(receiverContext(), { ...run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"), cluster: "staging", uid: "uid-staging" });

      // Assess
      expect([...pagerduty.incidents.keys()]).toEqual([INCIDENT, "kube-feedback/staging/ci/build"]);
    });
  });

  describe("Option: events", () => {
    it("sends only the finished run's trigger by default", async () => {
      // Act
      await runLifecycle(receiver, run("build-7k2x9", "timed_out", "2024-05-01T10:00:00Z"));

      // Assess
      expect(pagerduty.events.map((e) => [e.event_action, e.payload?.summary])).toEqual([["trigger", expect.stringMatching(/^PipelineRun ci\/build-7k2x9 timed out/)]]);
    });

    it("sends nothing for a run still going or cancelled, whatever the events", async () => {
      // Prepare
      const all = await startReceiver("pagerduty", { routingKey: `env:${KEY_VAR}`, apiUrl: pagerduty.baseUrl, events: Object.values(LifecycleEvent) });

      // Act
      await runLifecycle(all, run("build-7k2x9", "cancelled", "2024-05-01T10:00:00Z"));

      // Assess
      expect(pagerduty.requests).toHaveLength(0);
    });
  });

  describe("Errors", () => {
    it.each([
      { status: 429, body: { status: "throttle exceeded", message: "Requests for this service are arriving too quickly." } },
      { status: 500, body: "Internal Server Error" },
      { status: 503, body: "Service Unavailable" },
    ])("retries a $status with backoff and sends the trigger again on the retry", async ({ status, body }) => {
      // Prepare
      pagerduty.answerNext({ status, body });
      const failed = run("build-7k2x9", "failed", "2024-05-01T10:00:00Z");

      // Act
      const error = await finish(receiver, failed);
      const retried = await finish(receiver, failed);

      // Assess
      expect(error).toBeInstanceOf(ReceiverError);
      expect(error).not.toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect((error as Error).message).toMatch(new RegExp(`^pagerduty 127\\.0\\.0\\.1:\\d+ answered ${status}`));
      expect(retried).toBeUndefined();
      expect(pagerduty.events.map((e) => e.event_action)).toEqual(["trigger", "trigger"]);
      expect(pagerduty.incidents.get(INCIDENT)).toMatchObject({ status: "triggered", alerts: 1 });
    });

    it("waits as long as a Retry-After asks when PagerDuty sends one", async () => {
      // Prepare
      pagerduty.answerNext({ status: 429, headers: { "retry-after": "20" }, body: { status: "throttle exceeded" } });

      // Act
      const error = await finish(receiver, run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"));

      // Assess
      expect(dispositionOf(error)).toMatchObject({ disposition: Disposition.Retry, backsOff: false });
      expect((error as FeedbackError).retryAfterSeconds).toBe(20);
    });

    it("fails permanently on the 400 of a routing key PagerDuty does not know, naming its reason", async () => {
      // Prepare
      process.env.KF_TEST_PAGERDUTY_OTHER = "R0SOMEOTHERINTEGRATIONKEY0000002";
      const wrong = await startReceiver("pagerduty", { routingKey: "env:KF_TEST_PAGERDUTY_OTHER", apiUrl: pagerduty.baseUrl });

      // Act
      const error = await finish(wrong, run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"));

      // Assess
      delete process.env.KF_TEST_PAGERDUTY_OTHER;
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect((error as Error).message).toMatch(/^pagerduty 127\.0\.0\.1:\d+ answered 400: .*Invalid routing key/);
      expect((error as Error).message).not.toContain("R0SOMEOTHER");
      expect(pagerduty.incidents.size).toBe(0);
    });
  });
});
