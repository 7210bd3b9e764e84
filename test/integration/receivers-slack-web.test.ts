import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../shared/config";
import { Disposition, dispositionOf, retryAfterOf } from "../../shared/errors";
import { LifecycleEvent, PermanentReceiverError, ReceiverThrottledError, type Receiver } from "../../shared/receivers";
import type { PipelineInfo } from "../../shared/pipeline/types";
import { FakeSlackWeb, pipelineInfo, receiverContext, startReceiver } from "../helpers/fake-chat";

const TOKEN_VAR = "KF_TEST_SLACK_BOT_TOKEN";
const ALL = ["created", "started", "progress", "finished"];

const headerOf = (blocks: unknown[]): string => (blocks as { type: string; text?: { text: string } }[]).find((b) => b.type === "header")!.text!.text;

describe("Class: SlackReceiver with a bot token (one message per run)", () => {
  const slack = new FakeSlackWeb();
  let receiver: Receiver;
  const info = pipelineInfo();
  const created: PipelineInfo = { ...info, phase: "pending", stages: [], startedAt: undefined, finishedAt: undefined };
  const started: PipelineInfo = { ...info, phase: "running", stages: [{ name: "fetch", phase: "running", startedAt: "2024-05-01T10:00:00Z" }], finishedAt: undefined };
  const halfway: PipelineInfo = { ...started, stages: [info.stages[0]!, { name: "test", phase: "running", startedAt: "2024-05-01T10:00:12Z" }] };
  const options = (extra: Record<string, unknown> = {}) => ({ token: `env:${TOKEN_VAR}`, channel: "#ci", apiUrl: slack.apiUrl, events: ALL, ...extra });

  beforeAll(async () => {
    await slack.start();
    process.env[TOKEN_VAR] = slack.token;
  });
  beforeEach(async () => {
    receiver = await startReceiver("slack", options());
  });
  afterEach(() => {
    process.env[TOKEN_VAR] = slack.token;
    slack.reset();
  });
  afterAll(async () => {
    delete process.env[TOKEN_VAR];
    await slack.stop();
  });

  describe("Method: the lifecycle callbacks", () => {
    it("posts with chat.postMessage once and updates that message with chat.update as the run moves", async () => {
      // Act
      await receiver.whenCreated(receiverContext(LifecycleEvent.Created), created);
      await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(slack.posts).toHaveLength(1);
      const [message] = slack.posts;
      expect(message!.channel).toBe("C0CI00001");
      expect(message!.edits).toBe(2);
      expect(headerOf(message!.blocks)).toBe("✅ PipelineRun ci/build-7k2x9");
      expect(message!.text).toBe("✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s");
      const updates = slack.calls("chat.update");
      expect(updates).toHaveLength(2);
      // Updated by the channel's ID, which the post answered with; the token goes as a bearer header.
      expect(updates.map((r) => new URLSearchParams(r.body).get("channel"))).toEqual(["C0CI00001", "C0CI00001"]);
      expect(updates.map((r) => new URLSearchParams(r.body).get("ts"))).toEqual([message!.ts, message!.ts]);
      expect(slack.requests.every((r) => r.headers.authorization === `Bearer ${slack.token}`)).toBe(true);
    });

    it("replies in the message's thread once for each stage that finishes", async () => {
      // Act
      await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
      await receiver.updateProgress(receiverContext(LifecycleEvent.Progress), halfway);
      await receiver.whenFinished(receiverContext(), info);
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      const [message] = slack.posts;
      expect(slack.posts).toHaveLength(1);
      expect(slack.replies(message!.ts).map((r) => r.text)).toEqual(["*fetch* ✅ Succeeded · 12s", "*test* ✅ Succeeded · 1m 53s"]);
      expect(slack.messages).toHaveLength(3);
    });

    it("says why a stage failed in its reply and links the stage", async () => {
      // Prepare
      const failed: PipelineInfo = {
        ...info,
        phase: "failed",
        stages: [
          info.stages[0]!,
          { ...info.stages[1]!, phase: "failed", message: '"step-unit" exited with code 1:\n  2 tests <failed>', url: "https://dashboard.example.com/#/taskruns/test|1" },
        ],
      };

      // Act
      await receiver.whenFinished(receiverContext(), failed);

      // Assess
      expect(slack.replies(slack.posts[0]!.ts).map((r) => r.text)).toEqual([
        "*fetch* ✅ Succeeded · 12s",
        '*<https://dashboard.example.com/#/taskruns/test%7C1|test>* ❌ Failed · 1m 53s\n> "step-unit" exited with code 1: 2 tests &lt;failed&gt;',
      ]);
    });

    it("sends nothing for a redelivered callback: the message and its thread already show it", async () => {
      // Act
      await receiver.updateProgress(receiverContext(LifecycleEvent.Progress), halfway);
      await receiver.updateProgress(receiverContext(LifecycleEvent.Progress), halfway);

      // Assess
      expect(slack.calls("chat.postMessage")).toHaveLength(2);
      expect(slack.calls("chat.update")).toHaveLength(0);
      expect(slack.posts).toHaveLength(1);
    });

    it("posts the message anew when someone deleted it, with its stages in the new thread", async () => {
      // Prepare
      await receiver.updateProgress(receiverContext(LifecycleEvent.Progress), halfway);
      const first = slack.posts[0]!.ts;
      slack.deleteMessage(first);

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(slack.posts).toHaveLength(1);
      const [message] = slack.posts;
      expect(message!.ts).not.toBe(first);
      expect(headerOf(message!.blocks)).toContain("✅");
      expect(slack.replies(message!.ts).map((r) => r.text.split(" ")[0])).toEqual(["*fetch*", "*test*"]);
    });

    it("keeps one message per run: another run posts its own", async () => {
      // Act
      await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
      await receiver.whenStarted(receiverContext(LifecycleEvent.Started), { ...started, uid: "another-run" });

      // Assess
      expect(slack.posts).toHaveLength(2);
    });
  });

  describe("Method: errors", () => {
    it("fails an update refused with 429 with the Retry-After Slack named, and the retry updates the same message", async () => {
      // Prepare
      await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
      slack.answerNext({ status: 429, headers: { "retry-after": "7" }, body: { ok: false, error: "ratelimited" } });

      // Act
      const error = await receiver.whenFinished(receiverContext(), info).catch((e: unknown) => e);
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Retry);
      expect(retryAfterOf(error)).toBe(7);
      expect(slack.calls("chat.update")).toHaveLength(2);
      expect(slack.posts).toHaveLength(1);
      expect(slack.posts[0]!.edits).toBe(1);
    });

    it("remembers the replies sent before a rate limit, so the retry sends only the rest", async () => {
      // Prepare: the update and the first reply pass, the second reply is refused.
      await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
      slack.rateLimitCall(3, 3);

      // Act
      const error = await receiver.whenFinished(receiverContext(), info).catch((e: unknown) => e);
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(retryAfterOf(error)).toBe(3);
      expect(slack.replies(slack.posts[0]!.ts).map((r) => r.text.split(" ")[0])).toEqual(["*fetch*", "*test*"]);
      expect(slack.calls("chat.update")).toHaveLength(1);
      // The message, the reply for fetch, the refused reply for test and its retry.
      expect(slack.calls("chat.postMessage")).toHaveLength(4);
    });

    it.each([
      { name: "a bot not in the channel", options: { channel: "#other" }, code: "not_in_channel", advice: "invite the app to the channel" },
      { name: "an unknown channel", options: { channel: "#nowhere" }, code: "channel_not_found", advice: "check options.channel" },
    ])("fails permanently for $name, naming Slack's code and what to do", async ({ options: extra, code, advice }) => {
      // Prepare
      const elsewhere = await startReceiver("slack", options(extra));

      // Act
      const error = (await elsewhere.whenFinished(receiverContext(), info).catch((e: unknown) => e)) as Error;

      // Assess
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(error.message).toContain(`chat.postMessage refused: ${code}`);
      expect(error.message).toContain(advice);
      expect(slack.messages).toHaveLength(0);
    });

    it("fails permanently for a token Slack does not know, without repeating it", async () => {
      // Prepare
      process.env[TOKEN_VAR] = "xoxb-not-a-real-token";
      const wrong = await startReceiver("slack", options());

      // Act
      const error = (await wrong.whenFinished(receiverContext(), info).catch((e: unknown) => e)) as Error;

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toContain("invalid_auth");
      expect(error.message).not.toContain("xoxb-not-a-real-token");
    });

    it("retries with backoff on a 500 and when nothing listens", async () => {
      // Prepare
      slack.answerNext({ status: 500, body: "internal error" });
      const gone = await new FakeSlackWeb().start();
      const nowhere = await startReceiver("slack", options({ apiUrl: gone.apiUrl }));
      await gone.stop();

      // Act
      const outage = await receiver.whenFinished(receiverContext(), info).catch((e: unknown) => e);
      const unreachable = (await nowhere.whenFinished(receiverContext(), info).catch((e: unknown) => e)) as Error;

      // Assess
      expect(dispositionOf(outage)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect((outage as Error).message).toContain("answered 500");
      expect(dispositionOf(unreachable)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(unreachable.message).toContain("could not be reached");
    });

    it("counts each thread reply against rateLimit and sends the rest when the window has room", async () => {
      // Prepare
      const limited = await startReceiver("slack", options({ rateLimit: { perMinute: 2 } }));

      // Act: the message takes one slot, the first reply the other.
      const error = await limited.whenFinished(receiverContext(), info).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ReceiverThrottledError);
      expect(slack.posts).toHaveLength(1);
      expect(slack.replies(slack.posts[0]!.ts)).toHaveLength(1);
    });
  });
});

describe("Option: the slack receiver's token, channel and url", () => {
  it.each([
    { name: "neither url nor token", options: {}, message: "receivers[0].options.url: is required: an incoming webhook URL, or else token and channel for a bot token" },
    { name: "both url and token", options: { url: "env:A", token: "env:B", channel: "#ci" }, message: "receivers[0].options.token: set url (an incoming webhook) or token (a bot token), not both" },
    { name: "a token without a channel", options: { token: "env:B" }, message: "receivers[0].options.channel: is required with token: the channel the bot posts to" },
    { name: "a channel with a webhook", options: { url: "env:A", channel: "#ci" }, message: "receivers[0].options.channel: goes with token: an incoming webhook posts to the channel it was made for" },
    { name: "an apiUrl with a webhook", options: { url: "env:A", apiUrl: "https://slack-gov.com/api/" }, message: "receivers[0].options.apiUrl: goes with token: an incoming webhook URL is complete" },
  ])("refuses $name at start, naming the key", async ({ options, message }) => {
    // Act
    const error = await startReceiver("slack", options).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`invalid config: ${message}`);
  });
});

describe("Class: FakeSlackWeb", () => {
  const slack = new FakeSlackWeb();
  beforeAll(async () => {
    await slack.start();
  });
  afterAll(async () => {
    await slack.stop();
  });

  it("takes JSON bodies with the token in the Authorization header, as Slack does, and refuses one in the body", async () => {
    // Prepare
    const call = (headers: Record<string, string>, body: Record<string, unknown>) =>
      fetch(`${slack.apiUrl}chat.postMessage`, { method: "POST", headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ ok: boolean; error?: string; channel?: string }>,
      );

    // Act
    const posted = await call({ authorization: `Bearer ${slack.token}` }, { channel: "#ci", text: "hello", blocks: [{ type: "divider" }] });
    const inBody = await call({}, { token: slack.token, channel: "#ci", text: "hello" });

    // Assess
    expect(posted).toMatchObject({ ok: true, channel: "C0CI00001" });
    expect(inBody).toEqual({ ok: false, error: "not_authed" });
    expect(slack.messages.map((m) => m.blocks)).toEqual([[{ type: "divider" }]]);
  });
});
