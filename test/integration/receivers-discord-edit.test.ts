import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Disposition, dispositionOf, retryAfterOf } from "../../shared/errors";
import { LifecycleEvent, type Receiver } from "../../shared/receivers";
import { FakeDiscord, pipelineInfo, receiverContext, startReceiver } from "../helpers/fake-chat";

const URL_VAR = "KF_TEST_DISCORD_EDIT_URL";
const ALL = ["created", "started", "progress", "finished"];

interface Embed {
  title: string;
}

const titleOf = (body: Record<string, unknown>): string => (body.embeds as Embed[])[0]!.title;

describe("Class: DiscordReceiver (one message per run)", () => {
  const discord = new FakeDiscord();
  let receiver: Receiver;
  const info = pipelineInfo();
  const created = { ...info, phase: "pending" as const, stages: [], startedAt: undefined, finishedAt: undefined };
  const started = { ...info, phase: "running" as const, stages: [{ name: "fetch", phase: "running" as const }], finishedAt: undefined };

  beforeAll(async () => {
    await discord.start();
    process.env[URL_VAR] = discord.webhookUrl;
  });
  beforeEach(async () => {
    receiver = await startReceiver("discord", { url: `env:${URL_VAR}`, username: "kube-feedback", events: ALL });
  });
  afterEach(() => {
    process.env[URL_VAR] = discord.webhookUrl;
    discord.reset();
  });
  afterAll(async () => {
    delete process.env[URL_VAR];
    await discord.stop();
  });

  const posts = () => discord.requests.filter((r) => r.method === "POST");
  const edits = () => discord.requests.filter((r) => r.method === "PATCH");

  it("posts once with wait=true and edits that message in place as the run moves", async () => {
    // Act
    await receiver.whenCreated(receiverContext(LifecycleEvent.Created), created);
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    await receiver.whenFinished(receiverContext(), info);

    // Assess
    expect(posts()).toHaveLength(1);
    expect(new URL(posts()[0]!.path, "http://fake").searchParams.get("wait")).toBe("true");
    expect(edits()).toHaveLength(2);
    expect(discord.messages).toHaveLength(1);
    const [message] = discord.messages;
    expect(edits().map((r) => r.path)).toEqual([0, 1].map(() => `/api/webhooks/112233445566778899/fakeDiscordToken/messages/${message!.id}`));
    expect(message!.edits).toBe(2);
    expect(titleOf(message!.body)).toBe("✅ PipelineRun ci/build-7k2x9 — Succeeded");
    // An edit takes no username: the message keeps the name it was posted under.
    expect(edits().every((r) => !("username" in (r.json as object)))).toBe(true);
    expect(message!.body.username).toBe("kube-feedback");
  });

  it("sends nothing for a redelivered callback: the message already shows it", async () => {
    // Act
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    await receiver.updateProgress(receiverContext(LifecycleEvent.Progress), started);

    // Assess
    expect(discord.requests).toHaveLength(1);
    expect(discord.messages).toHaveLength(1);
  });

  it("leaves a finished run's message alone when an earlier callback is replayed", async () => {
    // Prepare
    await receiver.whenFinished(receiverContext(), info);

    // Act
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);

    // Assess
    expect(discord.requests).toHaveLength(1);
    expect(titleOf(discord.messages[0]!.body)).toContain("Succeeded");
  });

  it("posts the message anew when someone deleted it, and edits the new one after", async () => {
    // Prepare
    await receiver.whenCreated(receiverContext(LifecycleEvent.Created), created);
    discord.deleteMessage(discord.messages[0]!.id);

    // Act
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    await receiver.whenFinished(receiverContext(), info);

    // Assess
    expect(discord.requests.map((r) => r.method)).toEqual(["POST", "PATCH", "POST", "PATCH"]);
    expect(discord.messages).toHaveLength(1);
    expect(discord.messages[0]!.edits).toBe(1);
    expect(titleOf(discord.messages[0]!.body)).toContain("Succeeded");
  });

  it("keeps one message per run: another run posts its own", async () => {
    // Act
    await receiver.whenFinished(receiverContext(), info);
    await receiver.whenFinished(receiverContext(), pipelineInfo({ uid: "another-run", id: "prod/ci/build-2" }));

    // Assess
    expect(posts()).toHaveLength(2);
    expect(discord.messages).toHaveLength(2);
  });

  it("fails an edit refused with 429 with the wait Discord named, and the retry edits the same message", async () => {
    // Prepare
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    discord.answerNext({ status: 429, body: { message: "You are being rate limited.", retry_after: 2.5, global: false } });

    // Act
    const error = await receiver.whenFinished(receiverContext(), info).catch((e: unknown) => e);
    await receiver.whenFinished(receiverContext(), info);

    // Assess
    expect(dispositionOf(error).disposition).toBe(Disposition.Retry);
    expect(retryAfterOf(error)).toBe(3);
    expect(discord.requests.map((r) => r.method)).toEqual(["POST", "PATCH", "PATCH"]);
    expect(discord.messages).toHaveLength(1);
    expect(titleOf(discord.messages[0]!.body)).toContain("Succeeded");
  });

  it("keeps the webhook URL's thread_id on the post and on the edits", async () => {
    // Prepare
    process.env[URL_VAR] = `${discord.webhookUrl}?thread_id=998877`;
    const inThread = await startReceiver("discord", { url: `env:${URL_VAR}`, events: ALL });

    // Act
    await inThread.whenStarted(receiverContext(LifecycleEvent.Started), started);
    await inThread.whenFinished(receiverContext(), info);

    // Assess
    const queries = discord.requests.map((r) => Object.fromEntries(new URL(r.path, "http://fake").searchParams));
    expect(queries).toEqual([{ thread_id: "998877", wait: "true" }, { thread_id: "998877" }]);
  });
});
