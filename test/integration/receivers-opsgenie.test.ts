import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Disposition, dispositionOf } from "../../shared/errors";
import type { PipelineInfo } from "../../shared/pipeline/types";
import { PermanentReceiverError, ReceiverError, type Receiver } from "../../shared/receivers";
import { aliasOf } from "../../shared/receivers/opsgenie/alert";
import { pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";
import { FakeOpsgenie } from "../helpers/fake-pager";

const KEY_VAR = "KF_TEST_OPSGENIE_KEY";
const INCIDENT = "kube-feedback/prod/ci/build";
const ALIAS = aliasOf(INCIDENT);

/** A run of the `build` Pipeline (its reruns share the status name `ci/build`). */
const run = (name: string, phase: PipelineInfo["phase"], startedAt: string): PipelineInfo =>
  pipelineInfo({
    id: `prod/ci/${name}`,
    uid: `uid-${name}`,
    name,
    phase,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 125_000).toISOString(),
    stages: [{ name: "test", phase: phase === "succeeded" ? "succeeded" : "failed", message: phase === "succeeded" ? undefined : '"step-build" exited with code 1' }],
  });

const finish = (receiver: Receiver, info: PipelineInfo): Promise<unknown> =>
  receiver.whenFinished(receiverContext(), info).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("Class: OpsgenieReceiver", () => {
  const opsgenie = new FakeOpsgenie();
  let receiver: Receiver;

  beforeAll(async () => {
    await opsgenie.start();
    process.env[KEY_VAR] = opsgenie.apiKey;
  });
  beforeEach(async () => {
    receiver = await startReceiver("opsgenie", { apiKey: `env:${KEY_VAR}`, apiUrl: opsgenie.baseUrl, priority: "P2", tags: ["ci", "team-shop"] });
  });
  afterEach(() => {
    opsgenie.reset();
  });
  afterAll(async () => {
    delete process.env[KEY_VAR];
    await opsgenie.stop();
  });

  describe("Method: whenFinished", () => {
    it("creates an alert for a failed run, aliased by its incident key, with the run in its details", async () => {
      // Prepare
      const failed = run("build-7k2x9", "failed", "2024-05-01T10:00:00Z");

      // Act
      await receiver.whenFinished(receiverContext(), failed);

      // Assess
      expect(opsgenie.requests).toHaveLength(1);
      const [request] = opsgenie.requests;
      expect(request!.path).toBe("/v2/alerts");
      expect(request!.headers.authorization).toBe(`GenieKey ${opsgenie.apiKey}`);
      expect(request!.json).toMatchObject({
        message: 'PipelineRun ci/build-7k2x9 failed in 2m 05s at test: "step-build" exited with code 1',
        alias: ALIAS,
        entity: "prod/ci",
        source: "kube-feedback",
        priority: "P2",
        tags: ["kube-feedback", "ci", "team-shop"],
        details: {
          incident: INCIDENT,
          run: "build-7k2x9",
          kind: "PipelineRun",
          cluster: "prod",
          namespace: "ci",
          phase: "failed",
          failedStage: "test",
          reason: '"step-build" exited with code 1',
          commit: "acme/shop-api@3f78685 (main)",
          dashboard: failed.dashboardUrl,
        },
      });
      const description = (request!.json as { description: string }).description;
      expect(description.split("\n")).toEqual([
        'PipelineRun ci/build-7k2x9 failed in 2m 05s at test: "step-build" exited with code 1',
        "Commit: acme/shop-api@3f78685 (main) https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b",
        `Run: ${failed.dashboardUrl}`,
        "",
        "Stages:",
        "- test: ❌ Failed",
      ]);
      expect([...opsgenie.alerts.values()]).toEqual([expect.objectContaining({ alias: ALIAS, status: "open", count: 1, priority: "P2" })]);
    });

    it("closes the alert by its alias when a later run of the same pipeline succeeds", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"));
      await receiver.whenFinished(receiverContext(), run("build-q8w2z", "succeeded", "2024-05-01T10:30:00Z"));

      // Assess
      expect(opsgenie.requests.map((r) => r.path)).toEqual(["/v2/alerts", `/v2/alerts/${ALIAS}/close?identifierType=alias`]);
      expect(opsgenie.requests[1]!.json).toEqual({ source: "kube-feedback", note: "PipelineRun ci/build-q8w2z succeeded" });
      expect([...opsgenie.alerts.values()].map((a) => a.status)).toEqual(["closed"]);
    });

    it("creates once for a repeated delivery and counts a second failed run on the open alert", async () => {
      // Prepare
      const first = run("build-7k2x9", "failed", "2024-05-01T10:00:00Z");

      // Act
      await receiver.whenFinished(receiverContext(), first);
      await receiver.whenFinished(receiverContext(), first);
      await receiver.whenFinished(receiverContext(), run("build-m4n5p", "failed", "2024-05-01T10:10:00Z"));

      // Assess
      expect(opsgenie.requests).toHaveLength(2);
      expect([...opsgenie.alerts.values()]).toEqual([expect.objectContaining({ status: "open", count: 2 })]);
    });

    it("opens a new alert when the pipeline fails again after it was closed", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"));
      await receiver.whenFinished(receiverContext(), run("build-q8w2z", "succeeded", "2024-05-01T10:30:00Z"));
      await receiver.whenFinished(receiverContext(), run("build-r5t6y", "failed", "2024-05-01T11:00:00Z"));

      // Assess
      expect([...opsgenie.alerts.values()].map((a) => a.status)).toEqual(["closed", "open"]);
    });

    it("sends one close for a success it knows nothing about and none for the next", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), run("build-7k2x9", "succeeded", "2024-05-01T10:00:00Z"));
      await receiver.whenFinished(receiverContext(), run("build-q8w2z", "succeeded", "2024-05-01T10:30:00Z"));

      // Assess
      expect(opsgenie.requests.map((r) => r.path)).toEqual([`/v2/alerts/${ALIAS}/close?identifierType=alias`]);
      expect(opsgenie.alerts.size).toBe(0);
    });

    it("sends nothing for the other callbacks by default, nor for a cancelled run", async () => {
      // Act
      await runLifecycle(receiver, run("build-7k2x9", "cancelled", "2024-05-01T10:00:00Z"));

      // Assess
      expect(opsgenie.requests).toHaveLength(0);
    });
  });

  describe("Errors", () => {
    it.each([
      { status: 429, body: { message: "Rate limit exceeded", took: 0, requestId: "r" } },
      { status: 500, body: { message: "Internal error", took: 0, requestId: "r" } },
    ])("retries a $status with backoff and creates the alert on the retry", async ({ status, body }) => {
      // Prepare
      opsgenie.answerNext({ status, body, headers: { "x-ratelimit-state": "THROTTLED" } });
      const failed = run("build-7k2x9", "failed", "2024-05-01T10:00:00Z");

      // Act
      const error = await finish(receiver, failed);
      const retried = await finish(receiver, failed);

      // Assess
      expect(error).toBeInstanceOf(ReceiverError);
      expect(error).not.toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(retried).toBeUndefined();
      expect(opsgenie.requests).toHaveLength(2);
      expect([...opsgenie.alerts.values()]).toEqual([expect.objectContaining({ status: "open", count: 1 })]);
    });

    it("fails permanently on the 401 of a key Opsgenie does not know, without the key in the message", async () => {
      // Prepare
      process.env.KF_TEST_OPSGENIE_OTHER = "00000000-1111-2222-3333-444444444444";
      const wrong = await startReceiver("opsgenie", { apiKey: "env:KF_TEST_OPSGENIE_OTHER", apiUrl: opsgenie.baseUrl });

      // Act
      const error = await finish(wrong, run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"));

      // Assess
      delete process.env.KF_TEST_OPSGENIE_OTHER;
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect((error as Error).message).toMatch(/^opsgenie 127\.0\.0\.1:\d+ answered 401: .*Could not authenticate/);
      expect((error as Error).message).not.toContain("00000000-1111");
      expect(opsgenie.alerts.size).toBe(0);
    });

    it("fails permanently on a 422 the API will not process", async () => {
      // Prepare
      opsgenie.answerNext({ status: 422, body: { message: "Request body is not processable. Please check the errors.", errors: { responders: "invalid" } } });

      // Act
      const error = await finish(receiver, run("build-7k2x9", "failed", "2024-05-01T10:00:00Z"));

      // Assess
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect((error as Error).message).toMatch(/answered 422: .*not processable/);
    });
  });
});
