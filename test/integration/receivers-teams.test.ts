import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PermanentReceiverError, type Receiver } from "../../shared/receivers";
import { FakeTeams, pipelineInfo, receiverContext, startReceiver } from "../helpers/fake-chat";

const URL_VAR = "KF_TEST_TEAMS_URL";

interface Card {
  type: string;
  version: string;
  body: { type: string; text?: string; color?: string; facts?: { title: string; value: string }[] }[];
  actions?: { type: string; title: string; url: string }[];
}
interface TeamsMessage {
  type: string;
  summary: string;
  attachments: { contentType: string; content: Card }[];
}

describe("Class: TeamsReceiver", () => {
  const teams = new FakeTeams();
  let receiver: Receiver;

  beforeAll(async () => {
    await teams.start();
    process.env[URL_VAR] = teams.webhookUrl;
    receiver = await startReceiver("teams", { url: `env:${URL_VAR}` });
  });
  afterEach(() => {
    teams.reset();
  });
  afterAll(async () => {
    delete process.env[URL_VAR];
    await teams.stop();
  });

  describe("Method: whenFinished", () => {
    it("posts a message with one Adaptive Card: title, coloured phase, facts, stages and an Open URL action", async () => {
      // Prepare
      const info = pipelineInfo();

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(teams.requests).toHaveLength(1);
      const message = teams.requests[0]!.json as TeamsMessage;
      expect(message.type).toBe("message");
      expect(message.summary).toBe("✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s");
      expect(message.attachments).toHaveLength(1);
      const { contentType, content: card } = message.attachments[0]!;
      expect(contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(card.type).toBe("AdaptiveCard");
      expect(card.version).toBe("1.4");
      expect(card.body.map((b) => b.type)).toEqual(["TextBlock", "TextBlock", "FactSet", "TextBlock", "FactSet"]);
      expect(card.body[0]!.text).toBe("✅ PipelineRun ci/build-7k2x9");
      expect(card.body[1]).toMatchObject({ text: "✅ Succeeded", color: "Good" });
      expect(card.body[2]!.facts).toEqual([
        { title: "Duration", value: "2m 05s" },
        { title: "Cluster", value: "prod" },
        { title: "Commit", value: "[acme/shop-api@3f78685 (main)](https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b)" },
      ]);
      expect(card.body[4]!.facts).toEqual([
        { title: "fetch", value: "✅ Succeeded · 12s" },
        { title: "test", value: "✅ Succeeded · 1m 53s" },
      ]);
      expect(card.actions).toEqual([{ type: "Action.OpenUrl", title: "View run", url: info.dashboardUrl }]);
    });

    it("colours a timed-out run as a warning and has no action without a dashboard URL", async () => {
      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ phase: "timed_out", dashboardUrl: undefined }));

      // Assess
      const card = (teams.requests[0]!.json as TeamsMessage).attachments[0]!.content;
      expect(card.body[1]).toMatchObject({ text: "⏱️ Timed out", color: "Warning" });
      expect(card.actions).toBeUndefined();
    });

    it("treats a legacy connector's 200 'delivery failed' answer as a retryable failure", async () => {
      // Prepare
      teams.answerNext({ status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429" });

      // Act
      const attempt = receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      await expect(attempt).rejects.toThrow(/^teams 127\.0\.0\.1:\d+ answered 200 but did not deliver/);
      await attempt.catch((error: unknown) => expect(error).not.toBeInstanceOf(PermanentReceiverError));
    });
  });
});
