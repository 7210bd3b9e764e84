import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Receiver } from "../../shared/receivers";
import { retryAfterOf } from "../../shared/errors";
import { FakeDiscord, pipelineInfo, receiverContext, startReceiver } from "../helpers/fake-chat";

const URL_VAR = "KF_TEST_DISCORD_URL";

interface Embed {
  title: string;
  url?: string;
  color: number;
  description: string;
  fields: { name: string; value: string; inline: boolean }[];
  timestamp?: string;
}
interface DiscordMessage {
  username?: string;
  allowed_mentions: { parse: string[] };
  embeds: Embed[];
}

describe("Class: DiscordReceiver", () => {
  const discord = new FakeDiscord();
  let receiver: Receiver;

  beforeAll(async () => {
    await discord.start();
    process.env[URL_VAR] = discord.webhookUrl;
  });
  // A receiver per test: it remembers the message it keeps for a run.
  beforeEach(async () => {
    receiver = await startReceiver("discord", { url: `env:${URL_VAR}`, username: "kube-feedback" });
  });
  afterEach(() => {
    discord.reset();
  });
  afterAll(async () => {
    delete process.env[URL_VAR];
    await discord.stop();
  });

  describe("Method: whenFinished", () => {
    it("posts one embed with title, phase colour, a field per stage and the dashboard URL", async () => {
      // Prepare
      const info = pipelineInfo();

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(discord.requests).toHaveLength(1);
      const message = discord.requests[0]!.json as DiscordMessage;
      expect(message.username).toBe("kube-feedback");
      expect(message.allowed_mentions).toEqual({ parse: [] });
      expect(message.embeds).toHaveLength(1);
      const [embed] = message.embeds;
      expect(embed!.title).toBe("✅ PipelineRun ci/build-7k2x9 — Succeeded");
      expect(embed!.url).toBe(info.dashboardUrl);
      expect(embed!.color).toBe(0x2eb67d);
      expect(embed!.timestamp).toBe(info.finishedAt);
      expect(embed!.description).toContain("**Duration** 2m 05s");
      expect(embed!.description).toContain("[acme/shop-api@3f78685 (main)](https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b)");
      expect(embed!.fields).toEqual([
        { name: "fetch", value: "✅ Succeeded · 12s", inline: true },
        { name: "test", value: "✅ Succeeded · 1m 53s", inline: true },
      ]);
    });

    it("colours a failed run red and keeps 40 stages within Discord's 25 fields", async () => {
      // Prepare
      const stages = Array.from({ length: 40 }, (_, i) => ({ name: `step-${i}`, phase: "failed" as const }));

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ phase: "failed", stages }));

      // Assess
      expect(discord.requests).toHaveLength(1);
      const [embed] = (discord.requests[0]!.json as DiscordMessage).embeds;
      expect(embed!.color).toBe(0xe01e5a);
      expect(embed!.fields).toHaveLength(25);
      expect(embed!.fields[24]).toEqual({ name: "…", value: "and 16 more stages", inline: true });
    });

    it("reads the delay from the body of a 429 that has no Retry-After header", async () => {
      // Prepare
      discord.answerNext({ status: 429, body: { message: "You are being rate limited.", retry_after: 1.2, global: false } });

      // Act
      const error = await receiver.whenFinished(receiverContext(), pipelineInfo()).catch((e: unknown) => e);

      // Assess
      expect(retryAfterOf(error)).toBe(2);
    });
  });
});
