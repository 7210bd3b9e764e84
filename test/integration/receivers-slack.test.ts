import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Receiver } from "../../shared/receivers";
import { FakeSlack, pipelineInfo, receiverContext, startReceiver } from "../helpers/fake-chat";

const URL_VAR = "KF_TEST_SLACK_URL";

interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { type: string; text: string }[];
  elements?: { type: string; url?: string; text?: unknown }[];
}

describe("Class: SlackReceiver", () => {
  const slack = new FakeSlack();
  let receiver: Receiver;

  beforeAll(async () => {
    await slack.start();
    process.env[URL_VAR] = slack.webhookUrl;
    receiver = await startReceiver("slack", { url: `env:${URL_VAR}` });
  });
  afterEach(() => {
    slack.reset();
  });
  afterAll(async () => {
    delete process.env[URL_VAR];
    await slack.stop();
  });

  describe("Method: whenFinished", () => {
    it("posts a Block Kit message with header, phase, stages and a link button that Slack accepts", async () => {
      // Prepare
      const info = pipelineInfo();

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(slack.requests).toHaveLength(1);
      const message = slack.requests[0]!.json as { text: string; blocks: Block[] };
      expect(Object.keys(message).sort()).toEqual(["blocks", "text"]);
      expect(message.text).toBe("✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s");
      expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "actions"]);
      const [header, facts, stages, actions] = message.blocks;
      expect(header!.text).toEqual({ type: "plain_text", text: "✅ PipelineRun ci/build-7k2x9", emoji: true });
      expect(facts!.fields!.map((f) => f.text)).toEqual([
        "*Phase*\n✅ Succeeded",
        "*Duration*\n2m 05s",
        "*Cluster*\nprod",
        "*Commit*\n<https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b|acme/shop-api@3f78685 (main)>",
      ]);
      expect(stages!.text!.text).toBe("*Stages*\n✅ *fetch* Succeeded · 12s\n✅ *test* Succeeded · 1m 53s");
      expect(actions!.elements).toEqual([
        { type: "button", text: { type: "plain_text", text: "View run" }, url: info.dashboardUrl, action_id: "view-run" },
      ]);
    });

    it("shows the run's message and leaves out the button and commit when there is no dashboard or git context", async () => {
      // Prepare
      const info = pipelineInfo({ phase: "failed", message: "Tasks Completed: 2 (Failed: 1) <see logs>", dashboardUrl: undefined, git: undefined });

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      const message = slack.requests[0]!.json as { blocks: Block[] };
      expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "context"]);
      expect(message.blocks[1]!.fields!.map((f) => f.text)).toEqual(["*Phase*\n❌ Failed", "*Duration*\n2m 05s", "*Cluster*\nprod"]);
      expect(message.blocks[3]!.elements).toEqual([{ type: "mrkdwn", text: "Tasks Completed: 2 (Failed: 1) &lt;see logs&gt;" }]);
    });

    it("keeps a long pipeline within Slack's limits", async () => {
      // Prepare
      const stages = Array.from({ length: 120 }, (_, i) => ({ name: `step-${i}`, phase: "succeeded" as const }));

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ stages, name: "x".repeat(200) }));

      // Assess
      expect(slack.requests).toHaveLength(1);
      const message = slack.requests[0]!.json as { blocks: Block[] };
      const lines = message.blocks[2]!.text!.text.split("\n");
      expect(lines).toHaveLength(41);
      expect(lines[40]).toBe("… and 81 more");
      expect(message.blocks[0]!.text!.text.length).toBe(150);
    });
  });
});
