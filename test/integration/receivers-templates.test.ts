import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Log } from "../../shared/log";
import { ConsoleReceiver, LifecycleEvent, type Receiver } from "../../shared/receivers";
import { compileTemplate } from "../../shared/receivers/template";
import {
  FakeDiscord,
  FakeGoogleChat,
  FakeMatrix,
  FakeSlack,
  FakeTeams,
  FakeTelegram,
  FakeWebhook,
  pipelineInfo,
  receiverContext,
  startReceiver,
} from "../helpers/fake-chat";

/** What every chat receiver below renders: variables, a filter and a loop over the stages. */
const TEMPLATE = "{{ pipeline.name }} {{ pipeline.phase | upcase }} ({{ event }}){% for s in pipeline.stages %}\n- {{ s.name }}: {{ s.phase }}{% endfor %}";
const RENDERED = "build-7k2x9 SUCCEEDED (finished)\n- fetch: succeeded\n- test: succeeded";

const SECRET_VAR = "KF_TEST_TEMPLATE_SECRET";
const URL_VARS = { slack: "KF_TEST_TEMPLATE_SLACK", teams: "KF_TEST_TEMPLATE_TEAMS", discord: "KF_TEST_TEMPLATE_DISCORD", googlechat: "KF_TEST_TEMPLATE_CHAT" };
const TOKEN_VARS = { matrix: "KF_TEST_TEMPLATE_MATRIX", telegram: "KF_TEST_TEMPLATE_TELEGRAM" };

describe("Receivers with options.template", () => {
  const webhook = new FakeWebhook();
  const slack = new FakeSlack();
  const teams = new FakeTeams();
  const discord = new FakeDiscord();
  const matrix = new FakeMatrix();
  const chat = new FakeGoogleChat();
  const telegram = new FakeTelegram();
  const servers = [webhook, slack, teams, discord, matrix, chat, telegram];

  beforeAll(async () => {
    await Promise.all(servers.map((s) => s.start()));
    process.env[SECRET_VAR] = "template signing key";
    process.env[URL_VARS.slack] = slack.webhookUrl;
    process.env[URL_VARS.teams] = teams.webhookUrl;
    process.env[URL_VARS.discord] = discord.webhookUrl;
    process.env[URL_VARS.googlechat] = chat.webhookUrl;
    process.env[TOKEN_VARS.matrix] = matrix.token;
    process.env[TOKEN_VARS.telegram] = telegram.token;
  });
  afterEach(() => {
    for (const server of servers) server.reset();
  });
  afterAll(async () => {
    for (const name of [SECRET_VAR, ...Object.values(URL_VARS), ...Object.values(TOKEN_VARS)]) delete process.env[name];
    await Promise.all(servers.map((s) => s.stop()));
  });

  describe("Class: WebhookReceiver", () => {
    it("sends the rendered body as it is, signed over the bytes sent, with the configured content type", async () => {
      // Prepare
      const receiver = await startReceiver("webhook", {
        url: webhook.url,
        secret: `env:${SECRET_VAR}`,
        contentType: "text/plain; charset=utf-8",
        template: "run={{ pipeline.namespace }}/{{ pipeline.name }} phase={{ pipeline.phase }} event={{ event }}",
      });

      // Act
      await receiver.whenStarted(receiverContext(LifecycleEvent.Started), pipelineInfo({ phase: "running" }));

      // Assess
      expect(webhook.requests).toHaveLength(1);
      const [request] = webhook.requests;
      expect(request!.body).toBe("run=ci/build-7k2x9 phase=running event=started");
      expect(request!.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(request!.headers["x-feedback-signature-256"]).toBe(`sha256=${createHmac("sha256", "template signing key").update(request!.body).digest("hex")}`);
      expect(request!.headers["x-feedback-event"]).toBe("started");
    });

    it("sends a JSON body whose strings come through the json filter, as application/json by default", async () => {
      // Prepare
      const receiver = await startReceiver("webhook", { url: webhook.url, template: `{"text": {{ pipeline.message | json }}, "sha": "{{ pipeline.git.sha }}"}` });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ phase: "failed", message: 'step "build" said: \\o/' }));

      // Assess
      expect(webhook.requests).toHaveLength(1);
      expect(webhook.requests[0]!.headers["content-type"]).toBe("application/json");
      expect(webhook.requests[0]!.json).toEqual({ text: 'step "build" said: \\o/', sha: "3f786850e387550fdab836ed7e6dc881de23001b" });
    });
  });

  describe("Class: SlackReceiver", () => {
    it("keeps the header and the button and puts the rendered text in one section and the notification", async () => {
      // Prepare
      const receiver = await startReceiver("slack", { url: `env:${URL_VARS.slack}`, template: TEMPLATE });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(slack.requests).toHaveLength(1);
      const message = slack.requests[0]!.json as { text: string; blocks: { type: string; text?: { type: string; text: string } }[] };
      expect(message.text).toBe(RENDERED);
      expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "actions"]);
      expect(message.blocks[0]!.text!.text).toBe("✅ PipelineRun ci/build-7k2x9");
      expect(message.blocks[1]!.text).toEqual({ type: "mrkdwn", text: RENDERED });
    });

    it("sends the default message when the template renders nothing for a run", async () => {
      // Prepare
      const receiver = await startReceiver("slack", { url: `env:${URL_VARS.slack}`, template: `{% if pipeline.phase == "failed" %}failed{% endif %}` });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(slack.requests).toHaveLength(1);
      expect((slack.requests[0]!.json as { text: string }).text).toBe("✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s");
    });

    it("sends the default message and says so in the log when the template fails on a run", async () => {
      // Prepare: a message past the render's memory limit, which no sample run has
      const warnings: string[] = [];
      const log = { debug: () => undefined, info: () => undefined, warn: (line: string) => void warnings.push(line), error: () => undefined } as unknown as Log;
      const receiver = await startReceiver("slack", { url: `env:${URL_VARS.slack}`, template: `{{ pipeline.message | append: "!" }}` });

      // Act
      await receiver.whenFinished({ log, event: LifecycleEvent.Finished }, pipelineInfo({ message: "x".repeat(1_100_000) }));

      // Assess
      expect(slack.requests).toHaveLength(1);
      expect((slack.requests[0]!.json as { text: string }).text).toBe("✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s");
      expect(warnings).toEqual([expect.stringContaining("receiver slack: options.template could not be rendered for prod/ci/build-7k2x9, the default text is sent: memory alloc limit exceeded")]);
    });
  });

  describe("Class: TeamsReceiver", () => {
    it("keeps the heading and the action and puts the rendered text in one text block and the summary", async () => {
      // Prepare
      const receiver = await startReceiver("teams", { url: `env:${URL_VARS.teams}`, template: TEMPLATE });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(teams.requests).toHaveLength(1);
      const message = teams.requests[0]!.json as { summary: string; attachments: { content: { body: { text: string }[]; actions: unknown[] } }[] };
      expect(message.summary).toBe(RENDERED);
      const card = message.attachments[0]!.content;
      expect(card.body.map((b) => b.text)).toEqual(["✅ PipelineRun ci/build-7k2x9", RENDERED]);
      expect(card.actions).toHaveLength(1);
    });
  });

  describe("Class: DiscordReceiver", () => {
    it("keeps the embed's title, link and colour and makes the rendered text its description, without stage fields", async () => {
      // Prepare
      const receiver = await startReceiver("discord", { url: `env:${URL_VARS.discord}`, template: TEMPLATE });
      const info = pipelineInfo();

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(discord.messages).toHaveLength(1);
      const [embed] = (discord.messages[0]!.body as { embeds: { title: string; url: string; description: string; fields: unknown[] }[] }).embeds;
      expect(embed!.title).toBe("✅ PipelineRun ci/build-7k2x9 — Succeeded");
      expect(embed!.url).toBe(info.dashboardUrl);
      expect(embed!.description).toBe(RENDERED);
      expect(embed!.fields).toEqual([]);
    });
  });

  describe("Class: MatrixReceiver", () => {
    it("sends the rendered text as the body and, escaped, as the formatted body", async () => {
      // Prepare
      const receiver = await startReceiver("matrix", {
        homeserverUrl: matrix.homeserverUrl,
        roomId: matrix.roomId,
        accessToken: `env:${TOKEN_VARS.matrix}`,
        template: "{{ pipeline.name }} <{{ pipeline.phase }}>\n{{ pipeline.message }}",
      });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ phase: "failed", message: "a & b" }));

      // Assess
      const shown = matrix.shown();
      expect(shown).toHaveLength(1);
      expect(shown[0]!.content).toMatchObject({ msgtype: "m.notice", body: "build-7k2x9 <failed>\na & b", formatted_body: "build-7k2x9 &lt;failed&gt;<br>a &amp; b" });
    });
  });

  describe("Class: GoogleChatReceiver", () => {
    it("makes the rendered text the message's text and keeps the card's header and button", async () => {
      // Prepare
      const receiver = await startReceiver("googlechat", { url: `env:${URL_VARS.googlechat}`, template: TEMPLATE });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(chat.messages).toHaveLength(1);
      const body = chat.messages[0]!.body as { text: string; cardsV2: { card: { header: { title: string }; sections: { widgets: Record<string, unknown>[] }[] } }[] };
      expect(body.text).toBe(RENDERED);
      expect(body.cardsV2[0]!.card.header.title).toBe("✅ PipelineRun ci/build-7k2x9");
      expect(body.cardsV2[0]!.card.sections.map((s) => Object.keys(s.widgets[0]!))).toEqual([["buttonList"]]);
    });
  });

  describe("Class: TelegramReceiver", () => {
    it("sends the rendered text as plain text, so a run's own markup cannot break it", async () => {
      // Prepare
      const receiver = await startReceiver("telegram", {
        botToken: `env:${TOKEN_VARS.telegram}`,
        chatId: "-1001234567890",
        apiUrl: telegram.baseUrl,
        template: "{{ pipeline.name }}: {{ pipeline.message }}",
      });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo({ phase: "failed", message: "expected <b> got </i>" }));

      // Assess
      expect(telegram.messages.map((m) => m.text)).toEqual(["build-7k2x9: expected <b> got </i>"]);
      expect((telegram.requests[0]!.json as { parse_mode?: string }).parse_mode).toBeUndefined();
    });
  });

  describe("Class: ConsoleReceiver", () => {
    it("prints the rendered text per callback in place of the line and the stage table", async () => {
      // Prepare
      const printed: string[] = [];
      const receiver: Receiver = new ConsoleReceiver("console", { stages: true, template: compileTemplate("{{ event }} {{ pipeline.name }}") }, (line) => void printed.push(line));

      // Act
      await receiver.updateProgress(receiverContext(LifecycleEvent.Progress), pipelineInfo({ phase: "running" }));

      // Assess
      expect(printed).toEqual(["progress build-7k2x9\n"]);
    });
  });
});
