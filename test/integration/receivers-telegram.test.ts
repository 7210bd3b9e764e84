import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Disposition, dispositionOf, type FeedbackError } from "../../shared/errors";
import { LifecycleEvent, PermanentReceiverError, ReceiverError, ReceiverThrottledError, type Receiver } from "../../shared/receivers";
import { FakeTelegram, pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";

const TOKEN_VAR = "KF_TEST_TELEGRAM_TOKEN";
const CHAT = "-1001234567890";

const finish = (receiver: Receiver, info = pipelineInfo()): Promise<unknown> =>
  receiver.whenFinished(receiverContext(), info).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("Class: TelegramReceiver", () => {
  const telegram = new FakeTelegram();
  let receiver: Receiver;
  const start = (options: Record<string, unknown> = {}) => startReceiver("telegram", { botToken: `env:${TOKEN_VAR}`, chatId: CHAT, apiUrl: telegram.baseUrl, ...options });

  beforeAll(async () => {
    await telegram.start();
    process.env[TOKEN_VAR] = telegram.token;
    receiver = await start();
  });
  afterEach(() => {
    telegram.reset();
  });
  afterAll(async () => {
    delete process.env[TOKEN_VAR];
    await telegram.stop();
  });

  describe("Method: whenFinished", () => {
    it("sends an HTML message with the run, its stages and links, without a link preview", async () => {
      // Prepare
      const info = pipelineInfo();

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(telegram.messages).toHaveLength(1);
      const [message] = telegram.messages;
      expect(message!.chatId).toBe(CHAT);
      expect(message!.previewDisabled).toBe(true);
      expect(message!.silent).toBe(false);
      expect(message!.html).toBe(
        [
          "<b>✅ PipelineRun ci/build-7k2x9</b>",
          "Succeeded in 2m 05s · cluster prod",
          'Commit <a href="https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b">acme/shop-api@3f78685 (main)</a>',
          "",
          "✅ fetch · Succeeded · 12s",
          "✅ test · Succeeded · 1m 53s",
          "",
          `<a href="${info.dashboardUrl}">View run</a>`,
        ].join("\n"),
      );
    });

    it("escapes what comes from the cluster so Telegram can parse the message", async () => {
      // Prepare
      const info = pipelineInfo({ phase: "failed", name: "a<b>&c", stages: [{ name: "x<y", phase: "failed", message: "</b> & <i>" }] });

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(telegram.messages[0]!.text.split("\n")).toEqual([
        "❌ PipelineRun ci/a<b>&c",
        "Failed in 2m 05s · cluster prod",
        "Commit acme/shop-api@3f78685 (main)",
        "",
        "❌ x<y · Failed",
        "",
        "Failed at x<y: </b> & <i>",
        "",
        "View run",
      ]);
    });

    it("keeps a run of 200 long stages within 4096 characters", async () => {
      // Prepare
      const stages = Array.from({ length: 200 }, (_, i) => ({ name: `${"stage-&-".repeat(20)}${i}`, phase: "failed" as const, message: "<".repeat(2000) }));

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ phase: "failed", stages, message: "m".repeat(5000) }));

      // Assess
      expect(telegram.messages).toHaveLength(1);
      expect(telegram.messages[0]!.text.length).toBeLessThanOrEqual(4096);
      expect(telegram.messages[0]!.text).toContain("… and 181 more");
    });
  });

  describe("Options", () => {
    it("posts to a forum topic, silently, to a channel given by @username", async () => {
      // Prepare
      const topic = await start({ messageThreadId: 42, disableNotification: true });
      const channel = await start({ chatId: "@kube_feedback_ci" });

      // Act
      await topic.whenFinished(receiverContext(), pipelineInfo());
      await channel.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(telegram.messages.map((m) => [m.chatId, m.threadId, m.silent])).toEqual([
        [CHAT, 42, true],
        ["@kube_feedback_ci", undefined, false],
      ]);
    });

    it("takes a numeric chat id as YAML reads it", async () => {
      // Prepare
      const numeric = await start({ chatId: -1001234567890 });

      // Act
      await numeric.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(telegram.requests[0]!.json).toMatchObject({ chat_id: CHAT });
    });

    it("sends only the finished run by default, every callback when asked", async () => {
      // Prepare
      const all = await start({ events: Object.values(LifecycleEvent) });

      // Act
      await runLifecycle(receiver);
      await runLifecycle(all);

      // Assess
      expect(telegram.messages.map((m) => m.text.split("\n")[1])).toEqual([
        "Succeeded in 2m 05s · cluster prod",
        "Pending in 2m 05s · cluster prod",
        "Running in 2m 05s · cluster prod",
        "Running in 2m 05s · cluster prod",
        "Succeeded in 2m 05s · cluster prod",
      ]);
    });

    it("holds back a post beyond rateLimit.perMinute without sending it", async () => {
      // Prepare
      const limited = await start({ rateLimit: { perMinute: 1 } });

      // Act
      const first = await finish(limited);
      const second = await finish(limited, pipelineInfo({ uid: "second" }));

      // Assess
      expect(first).toBeUndefined();
      expect(second).toBeInstanceOf(ReceiverThrottledError);
      expect(telegram.requests).toHaveLength(1);
    });
  });

  describe("Errors", () => {
    it("waits the retry_after that flood control names in the body", async () => {
      // Prepare
      telegram.answerNext({ status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 17", parameters: { retry_after: 17 } } });

      // Act
      const error = await finish(receiver);

      // Assess
      expect(dispositionOf(error)).toMatchObject({ disposition: Disposition.Retry, backsOff: false });
      expect((error as FeedbackError).retryAfterSeconds).toBe(17);
      expect((error as Error).message).toMatch(/^telegram 127\.0\.0\.1:\d+ answered 429: .*retry after 17/);
    });

    it("retries a 5xx with backoff", async () => {
      // Prepare
      telegram.answerNext({ status: 502, body: "Bad Gateway" });

      // Act
      const error = await finish(receiver);

      // Assess
      expect(error).toBeInstanceOf(ReceiverError);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
    });

    it("fails permanently for a group that became a supergroup, naming the new chat id", async () => {
      // Prepare
      const old = await start({ chatId: "-4000000001" });

      // Act
      const error = await finish(old);

      // Assess
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect((error as Error).message).toMatch(/answered 400: .*upgraded to a supergroup.*"migrate_to_chat_id":-1009876543210/);
    });

    it("fails permanently on a revoked token, without the token in the message", async () => {
      // Prepare
      process.env.KF_TEST_TELEGRAM_REVOKED = "987654321:RevokedTokenValue";
      const revoked = await startReceiver("telegram", { botToken: "env:KF_TEST_TELEGRAM_REVOKED", chatId: CHAT, apiUrl: telegram.baseUrl });

      // Act
      const error = await finish(revoked);

      // Assess
      delete process.env.KF_TEST_TELEGRAM_REVOKED;
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect((error as Error).message).toMatch(/^telegram 127\.0\.0\.1:\d+ answered 401: .*Unauthorized/);
      expect((error as Error).message).not.toContain("RevokedTokenValue");
      expect(telegram.messages).toHaveLength(0);
    });

    it("refuses at start a secret that is not a bot token, before any request", async () => {
      // Prepare
      process.env.KF_TEST_TELEGRAM_BAD = "not/a-token";

      // Act
      const started = startReceiver("telegram", { botToken: "env:KF_TEST_TELEGRAM_BAD", chatId: CHAT, apiUrl: telegram.baseUrl });

      // Assess
      await expect(started).rejects.toThrow("receiver telegram: options.botToken: the secret it points at is not a bot token (<digits>:<letters>)");
      delete process.env.KF_TEST_TELEGRAM_BAD;
      expect(telegram.requests).toHaveLength(0);
    });
  });
});
