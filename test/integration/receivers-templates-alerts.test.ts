import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useAwsEndpoints } from "../helpers/fake-aws/env";
import { FakeSes } from "../helpers/fake-aws/ses";
import { pipelineInfo, receiverContext, startReceiver } from "../helpers/fake-chat";
import { FakeOpsgenie, FakePagerDuty } from "../helpers/fake-pager";

const PAGERDUTY_VAR = "KF_TEST_TEMPLATE_PAGERDUTY";
const OPSGENIE_VAR = "KF_TEST_TEMPLATE_OPSGENIE";

/** A failed run, which the pagers page for. */
const failed = () =>
  pipelineInfo({ phase: "failed", stages: [{ name: "test", phase: "failed", message: '"step-unit" exited with code 1' }], message: "Tasks Completed: 1 (Failed: 1)" });

describe("Receivers with templates for their mail and alerts", () => {
  const ses = new FakeSes();
  const pagerduty = new FakePagerDuty();
  const opsgenie = new FakeOpsgenie();
  let restore: () => void;

  beforeAll(async () => {
    await Promise.all([ses.start(), pagerduty.start(), opsgenie.start()]);
    ses.identities.add("builds.example.com");
    restore = useAwsEndpoints({ AWS_ENDPOINT_URL_SESV2: ses.baseUrl });
    process.env[PAGERDUTY_VAR] = pagerduty.routingKey;
    process.env[OPSGENIE_VAR] = opsgenie.apiKey;
  });
  afterEach(() => {
    ses.reset();
    pagerduty.reset();
    opsgenie.reset();
  });
  afterAll(async () => {
    restore();
    delete process.env[PAGERDUTY_VAR];
    delete process.env[OPSGENIE_VAR];
    await Promise.all([ses.stop(), pagerduty.stop(), opsgenie.stop()]);
  });

  describe("Class: EmailReceiver", () => {
    it("sends the rendered subject on one line and the rendered body", async () => {
      // Prepare
      const receiver = await startReceiver(
        "email",
        {
          from: "ci@builds.example.com",
          to: ["dev-team@example.com"],
          template: {
            subject: "[{{ pipeline.phase | upcase }}]\n{{ pipeline.name }}",
            body: "{{ pipeline.name }} {{ pipeline.phase }}{% for s in pipeline.stages %}\n{{ s.name }}: {{ s.message }}{% endfor %}\n",
          },
        },
        "mail",
      );

      // Act
      await receiver.whenFinished(receiverContext(), failed());

      // Assess
      expect(ses.sent).toHaveLength(1);
      expect(ses.sent[0]!.subject).toBe("[FAILED] build-7k2x9");
      expect(ses.sent[0]!.text).toBe('build-7k2x9 failed\ntest: "step-unit" exited with code 1\n');
    });

    it("keeps the default body when only the subject has a template", async () => {
      // Prepare
      const receiver = await startReceiver("email", { from: "ci@builds.example.com", to: ["dev-team@example.com"], template: { subject: "{{ pipeline.name }}" } }, "mail");

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(ses.sent.map((m) => m.subject)).toEqual(["build-7k2x9"]);
      expect(ses.sent[0]!.text).toMatch(/^PipelineRun ci\/build-7k2x9 — Succeeded\n/);
    });
  });

  describe("Class: PagerDutyReceiver", () => {
    it("triggers with the rendered summary, cut to the API's 1024 characters", async () => {
      // Prepare
      const receiver = await startReceiver("pagerduty", {
        routingKey: `env:${PAGERDUTY_VAR}`,
        apiUrl: pagerduty.baseUrl,
        template: "{{ pipeline.namespace }}/{{ pipeline.name }} {{ pipeline.phase }}: {% for i in (1..300) %}why {% endfor %}",
      });

      // Act
      await receiver.whenFinished(receiverContext(), failed());

      // Assess
      expect(pagerduty.events).toHaveLength(1);
      const summary = String(pagerduty.events[0]!.payload!.summary);
      expect(summary).toHaveLength(1024);
      expect(summary).toMatch(/^ci\/build-7k2x9 failed: why why .*…$/);
    });
  });

  describe("Class: OpsgenieReceiver", () => {
    it("creates the alert with the rendered message, cut to the API's 130 characters", async () => {
      // Prepare
      const receiver = await startReceiver("opsgenie", {
        apiKey: `env:${OPSGENIE_VAR}`,
        apiUrl: opsgenie.baseUrl,
        template: "{{ pipeline.name }} failed at {% for s in pipeline.stages %}{{ s.name }}{% endfor %}",
      });

      // Act
      await receiver.whenFinished(receiverContext(), failed());

      // Assess
      expect([...opsgenie.alerts.values()].map((a) => a.message)).toEqual(["build-7k2x9 failed at test"]);
    });
  });
});
