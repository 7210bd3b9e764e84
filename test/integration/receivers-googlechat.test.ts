import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Disposition, dispositionOf } from "../../shared/errors";
import { LifecycleEvent, PermanentReceiverError, ReceiverError, ReceiverThrottledError, type Receiver } from "../../shared/receivers";
import { FakeGoogleChat, pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";

const URL_VAR = "KF_TEST_GOOGLECHAT_URL";

interface Widget {
  decoratedText?: { topLabel?: string; text: string; bottomLabel?: string };
  textParagraph?: { text: string };
  buttonList?: { buttons: { text: string; onClick: { openLink: { url: string } } }[] };
}
interface ChatMessage {
  text: string;
  thread: { threadKey: string };
  cardsV2: { cardId: string; card: { header: { title: string; subtitle: string }; sections: { header?: string; collapsible?: boolean; widgets: Widget[] }[] } }[];
}

const finish = (receiver: Receiver, info = pipelineInfo()): Promise<unknown> =>
  receiver.whenFinished(receiverContext(), info).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("Class: GoogleChatReceiver", () => {
  const chat = new FakeGoogleChat();
  let receiver: Receiver;

  beforeAll(async () => {
    await chat.start();
    process.env[URL_VAR] = chat.webhookUrl;
    receiver = await startReceiver("googlechat", { url: `env:${URL_VAR}` });
  });
  afterEach(() => {
    chat.reset();
  });
  afterAll(async () => {
    delete process.env[URL_VAR];
    await chat.stop();
  });

  describe("Method: whenFinished", () => {
    it("posts a card with the run's facts, its stages and a button to the dashboard", async () => {
      // Prepare
      const info = pipelineInfo();

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(chat.messages).toHaveLength(1);
      const message = chat.messages[0]!.body as unknown as ChatMessage;
      expect(message.text).toBe("✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s");
      const { header, sections } = message.cardsV2[0]!.card;
      expect(header).toEqual({ title: "✅ PipelineRun ci/build-7k2x9", subtitle: "ci on prod" });
      expect(sections[0]!.widgets.map((w) => [w.decoratedText?.topLabel, w.decoratedText?.text])).toEqual([
        ["Phase", '<font color="#188038">✅ Succeeded</font>'],
        ["Duration", "2m 05s"],
        ["Cluster", "prod"],
        ["Commit", '<a href="https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b">acme/shop-api@3f78685 (main)</a>'],
      ]);
      expect(sections[1]).toMatchObject({ header: "Stages", collapsible: false });
      expect(sections[1]!.widgets.map((w) => [w.decoratedText?.text, w.decoratedText?.bottomLabel])).toEqual([
        ["fetch", "✅ Succeeded · 12s"],
        ["test", "✅ Succeeded · 1m 53s"],
      ]);
      expect(sections[2]!.widgets[0]!.buttonList!.buttons).toEqual([{ text: "View run", onClick: { openLink: { url: info.dashboardUrl } } }]);
    });

    it("escapes the card's HTML and shows why a run failed", async () => {
      // Prepare
      const info = pipelineInfo({ phase: "failed", stages: [{ name: "test<b>", phase: "failed", message: "expected <a> & got <b>" }], dashboardUrl: undefined });

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      const { sections } = (chat.messages[0]!.body as unknown as ChatMessage).cardsV2[0]!.card;
      expect(sections[1]!.widgets[0]!.decoratedText!.text).toBe("test&lt;b&gt;");
      expect(sections[2]!.widgets[0]!.textParagraph!.text).toBe("<i>Failed at test&lt;b&gt;: expected &lt;a&gt; &amp; got &lt;b&gt;</i>");
      expect(sections).toHaveLength(3);
    });

    it("keeps 60 stages to 40 widgets, collapsed after five", async () => {
      // Prepare
      const stages = Array.from({ length: 60 }, (_, i) => ({ name: `step-${i}`, phase: "succeeded" as const }));

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ stages }));

      // Assess
      const stageSection = (chat.messages[0]!.body as unknown as ChatMessage).cardsV2[0]!.card.sections[1]!;
      expect(stageSection).toMatchObject({ collapsible: true, uncollapsibleWidgetsCount: 5 });
      expect(stageSection.widgets).toHaveLength(41);
      expect(stageSection.widgets[40]).toEqual({ textParagraph: { text: "… and 20 more stages" } });
    });

    it("posts a retried delivery once, by its request id", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(chat.requests).toHaveLength(2);
      expect(chat.messages).toHaveLength(1);
      expect(new URL(chat.requests[0]!.path, "http://x").searchParams.get("requestId")).toMatch(/^kube-feedback-[0-9a-f]{32}$/);
    });
  });

  describe("Option: events", () => {
    it("keeps one run's messages in one thread and another run's in another", async () => {
      // Prepare
      const both = await startReceiver("googlechat", { url: `env:${URL_VAR}`, events: [LifecycleEvent.Started, LifecycleEvent.Finished] });

      // Act
      await runLifecycle(both, pipelineInfo());
      await runLifecycle(both, pipelineInfo({ uid: "another-run", name: "build-q8w2z", id: "prod/ci/build-q8w2z" }));

      // Assess
      expect(chat.messages).toHaveLength(4);
      const threads = chat.messages.map((m) => m.thread);
      expect(threads[0]).toBe(threads[1]);
      expect(threads[2]).toBe(threads[3]);
      expect(threads[2]).not.toBe(threads[0]);
      expect(new URL(chat.requests[0]!.path, "http://x").searchParams.get("messageReplyOption")).toBe("REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
    });

    it("posts only the finished run by default", async () => {
      // Act
      await runLifecycle(receiver);

      // Assess
      expect(chat.messages.map((m) => (m.body as unknown as ChatMessage).text)).toEqual(["✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s"]);
    });
  });

  describe("Errors", () => {
    it.each([
      { status: 429, body: { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } } },
      { status: 500, body: { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } } },
    ])("retries a $status with backoff", async ({ status, body }) => {
      // Prepare
      chat.answerNext({ status, body });

      // Act
      const error = await finish(receiver);

      // Assess
      expect(error).toBeInstanceOf(ReceiverError);
      expect(error).not.toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect((error as Error).message).toMatch(new RegExp(`^googlechat 127\\.0\\.0\\.1:\\d+ answered ${status}`));
    });

    it("fails permanently when the webhook's token is refused, without the token in the message", async () => {
      // Prepare
      process.env.KF_TEST_GOOGLECHAT_WRONG = chat.webhookUrl.replace(/token=[^&]+/, "token=revokedToken");
      const revoked = await startReceiver("googlechat", { url: "env:KF_TEST_GOOGLECHAT_WRONG" });

      // Act
      const error = await finish(revoked);

      // Assess
      delete process.env.KF_TEST_GOOGLECHAT_WRONG;
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect((error as Error).message).toMatch(/^googlechat 127\.0\.0\.1:\d+ answered 403: .*PERMISSION_DENIED/);
      expect((error as Error).message).not.toContain("revokedToken");
      expect(chat.messages).toHaveLength(0);
    });
  });

  describe("Option: rateLimit", () => {
    it("holds back a post beyond perMinute without sending it", async () => {
      // Prepare
      const limited = await startReceiver("googlechat", { url: `env:${URL_VAR}`, rateLimit: { perMinute: 1 } });

      // Act
      const first = await finish(limited);
      const second = await finish(limited, pipelineInfo({ uid: "second" }));

      // Assess
      expect(first).toBeUndefined();
      expect(second).toBeInstanceOf(ReceiverThrottledError);
      expect(chat.requests).toHaveLength(1);
    });
  });
});
