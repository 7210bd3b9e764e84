import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Disposition, dispositionOf } from "../../shared/errors";
import { LifecycleEvent, type Receiver } from "../../shared/receivers";
import { useAwsEndpoints } from "../helpers/fake-aws/env";
import { FakeSes, sesError } from "../helpers/fake-aws/ses";
import { pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";

const FROM = "ci@builds.example.com";
const TO = ["dev-team@example.com", "oncall@example.com"];

const failure = async (receiver: Receiver): Promise<Error> => {
  const error = await receiver.whenFinished(receiverContext(), pipelineInfo()).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error("expected SendEmail to fail");
  return error;
};

describe("Class: EmailReceiver", () => {
  const ses = new FakeSes();
  let restore: () => void;
  let receiver: Receiver;

  beforeAll(async () => {
    await ses.start();
    ses.identities.add("builds.example.com");
    restore = useAwsEndpoints({ AWS_ENDPOINT_URL_SESV2: ses.baseUrl });
    receiver = await startReceiver("email", { from: FROM, to: TO }, "mail");
  });
  afterEach(() => {
    ses.reset();
  });
  afterAll(async () => {
    restore();
    await ses.stop();
  });

  describe("Method: whenFinished", () => {
    it("sends one plain text mail from the identity to every address, subject first with the cluster", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(ses.sendEmailCalls).toHaveLength(1);
      expect(ses.sent).toHaveLength(1);
      const [mail] = ses.sent;
      expect(mail!.from).toBe(FROM);
      expect(mail!.to).toEqual(TO);
      expect(mail!.charset).toEqual({ subject: "UTF-8", text: "UTF-8" });
      expect(mail!.subject).toBe("[prod] ✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s");
      expect(mail!.text).toBe(
        [
          "PipelineRun ci/build-7k2x9 — Succeeded",
          "",
          "Cluster:   prod",
          "Namespace: ci",
          "Duration:  2m 05s",
          "Started:   2024-05-01T10:00:00Z",
          "Finished:  2024-05-01T10:02:05Z",
          "Commit:    acme/shop-api@3f78685 (main)",
          "           https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b",
          "Details:   https://dashboard.example.com/#/namespaces/ci/pipelineruns/build-7k2x9",
          "",
          "Stages:",
          "  fetch — ✅ Succeeded · 12s",
          "  test — ✅ Succeeded · 1m 53s",
          "",
          "-- ",
          "Sent by kube-feedback: receiver mail, finished callback.",
          "",
        ].join("\n"),
      );
    });

    it("says where and why a failed run stopped, with the failed stage's message", async () => {
      // Prepare
      const info = pipelineInfo({
        phase: "failed",
        message: "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0",
        stages: [
          { name: "fetch", phase: "succeeded" },
          { name: "test", phase: "failed", message: '"step-unit" exited with code 1\n  see the logs' },
        ],
      });

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      const [mail] = ses.sent;
      expect(mail!.subject).toBe("[prod] ❌ PipelineRun ci/build-7k2x9 failed in 2m 05s");
      expect(mail!.text).toContain('PipelineRun ci/build-7k2x9 — Failed\n\nFailed at test: "step-unit" exited with code 1 see the logs\n');
      expect(mail!.text).toContain('  test — ❌ Failed\n      "step-unit" exited with code 1 see the logs\n');
    });

    it("lists at most 100 stages and says how many more there are", async () => {
      // Prepare
      const stages = Array.from({ length: 120 }, (_, i) => ({ name: `step-${i}`, phase: "succeeded" as const }));

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ stages }));

      // Assess
      const lines = ses.sent[0]!.text.split("\n");
      expect(lines.filter((line) => line.startsWith("  step-"))).toHaveLength(99);
      expect(lines).toContain("… and 21 more");
    });
  });

  describe("Method: lifecycle callbacks", () => {
    it("mails only the finished run by default", async () => {
      // Act
      await runLifecycle(receiver);

      // Assess
      expect(ses.sendEmailCalls).toHaveLength(1);
      expect(ses.sent.map((m) => m.text.split("\n").at(-2))).toEqual(["Sent by kube-feedback: receiver mail, finished callback."]);
    });

    it("mails every callback named in `events`, each with its run's phase", async () => {
      // Prepare
      const everything = await startReceiver("email", { from: FROM, to: TO, events: ["created", "started", "progress", "finished"] }, "mail-all");

      const { finishedAt: _, ...running } = pipelineInfo();

      // Act
      await everything.whenCreated(receiverContext(LifecycleEvent.Created), { ...running, phase: "pending", startedAt: undefined });
      await everything.whenStarted(receiverContext(LifecycleEvent.Started), { ...running, phase: "running" });
      await everything.updateProgress(receiverContext(LifecycleEvent.Progress), { ...running, phase: "running" });
      await everything.whenFinished(receiverContext(LifecycleEvent.Finished), pipelineInfo());

      // Assess
      expect(ses.sent.map((m) => m.subject)).toEqual([
        "[prod] ⏳ PipelineRun ci/build-7k2x9 pending",
        "[prod] 🔄 PipelineRun ci/build-7k2x9 running",
        "[prod] 🔄 PipelineRun ci/build-7k2x9 running",
        "[prod] ✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s",
      ]);
      expect(ses.sent.map((m) => m.text.split("\n").at(-2))).toEqual(
        ["created", "started", "progress", "finished"].map((event) => `Sent by kube-feedback: receiver mail-all, ${event} callback.`),
      );
    });
  });

  describe("Method: error classification", () => {
    it("retries a TooManyRequestsException after a single attempt (the SDK does not retry)", async () => {
      // Prepare
      ses.answerNext(sesError(429, "TooManyRequestsException", "Too many requests"), 3);

      // Act
      const error = await failure(receiver);

      // Assess
      expect(ses.sendEmailCalls).toHaveLength(1);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(error.message).toBe(`email mail: SendEmail from ${FROM}: throttled, TooManyRequestsException (429): Too many requests`);
    });

    it("retries a used-up sending rate, which SES answers with a 400 ThrottlingException", async () => {
      // Prepare
      ses.answerNext(sesError(400, "ThrottlingException", "Maximum sending rate exceeded."));

      // Act
      const error = await failure(receiver);

      // Assess
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(ses.sent).toHaveLength(0);
    });

    it("waits as long as a throttled answer's Retry-After says", async () => {
      // Prepare
      ses.answerNext(sesError(429, "TooManyRequestsException", "Too many requests", { "retry-after": "30" }));
      const before = Date.now();

      // Act
      const error = await failure(receiver);

      // Assess
      const { disposition, notBefore } = dispositionOf(error);
      expect(disposition).toBe(Disposition.Retry);
      expect(notBefore! - before).toBeGreaterThanOrEqual(30_000);
      expect(notBefore! - Date.now()).toBeLessThanOrEqual(30_000);
    });

    it("retries a 500 InternalServiceErrorException", async () => {
      // Prepare
      ses.answerNext(sesError(500, "InternalServiceErrorException", "Internal service error"), 3);

      // Act
      const error = await failure(receiver);

      // Assess
      expect(ses.sendEmailCalls).toHaveLength(1);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
    });

    it("fails for good when the sender is not a verified identity", async () => {
      // Prepare
      const unverified = await startReceiver("email", { from: "ci@elsewhere.example.org", to: TO }, "mail-unverified");

      // Act
      const error = await failure(unverified);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toBe(
        "email mail-unverified: SendEmail from ci@elsewhere.example.org: MessageRejected (400): Email address is not verified. The following identities failed the check in region EU-WEST-1: ci@elsewhere.example.org",
      );
      expect(ses.sent).toHaveLength(0);
    });

    it("fails for good when the role may not send, naming the permission", async () => {
      // Prepare
      ses.answerNext(sesError(403, "AccessDeniedException", "User is not authorized to perform ses:SendEmail"));

      // Act
      const error = await failure(receiver);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toContain(`the function's role needs ses:SendEmail on the identity of ${FROM}`);
    });
  });

  it("sends on a repeated finished callback again: the queue's once-ledger, not the receiver, keeps mails single", async () => {
    // Act
    await receiver.whenFinished(receiverContext(LifecycleEvent.Finished), pipelineInfo());
    await receiver.whenFinished(receiverContext(LifecycleEvent.Finished), pipelineInfo());

    // Assess
    expect(ses.sent).toHaveLength(2);
  });
});
