import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecording } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { createReceivers } from "../../shared/receivers";
import { FakeSlackWeb } from "../helpers/fake-chat";

const RECORDING = readRecording(fileURLToPath(new URL("../../recordings/tekton-pipelinerun.ndjson", import.meta.url)));
const TOKEN_VAR = "NOTIFY_IT_SLACK_TOKEN";

/**
 * `when`, a template and one message per run together, as users combine
 * them: a Slack message edited in place as the run moves, in the words of
 * a template, beside a receiver that hears only failures.
 */
describe("Integration: conditions, templates and one message per run on the local stack", () => {
  const slack = new FakeSlackWeb();
  let stack: LocalStack;

  beforeAll(async () => {
    await slack.start();
    process.env[TOKEN_VAR] = slack.token;
    const slackOptions = { token: `env:${TOKEN_VAR}`, channel: "#ci", apiUrl: slack.apiUrl };
    const config = parseConfig({
      cluster: "notify-it",
      watch: [
        { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
        { group: "tekton.dev", version: "v1", resource: "taskruns" },
      ],
      receivers: [
        {
          name: "progress",
          type: "slack",
          options: { ...slackOptions, events: ["created", "started", "progress", "finished"], template: "{{ pipeline.name }} is {{ pipeline.phase }} ({{ event }})" },
        },
        { name: "failures", type: "slack", when: 'event == "finished" && pipeline.phase != "succeeded"', options: { ...slackOptions, template: "FAILED {{ pipeline.name }}" } },
      ],
      processing: { backoff: { baseSeconds: 1, capSeconds: 2 } },
    });
    stack = await startLocalStack({ config, process: { receivers: createReceivers(config) } });
    for (const { type, object } of RECORDING) {
      await stack.relay.ship(type, object);
      await stack.relay.flush();
      await stack.poller.drained(25);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await slack.stop();
    delete process.env[TOKEN_VAR];
  });

  it("posts one message for the run, edits it as the run moves, and says it in the template's words", () => {
    // Assess
    const messages = slack.posts.filter((m) => m.threadTs === undefined);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message!.edits).toBeGreaterThanOrEqual(2);
    expect(message!.text).toBe("build-and-test-x7k2p is succeeded (finished)");
    expect(slack.calls("chat.postMessage").filter((r) => !new URLSearchParams(r.body).get("thread_ts")).length).toBe(1);
  });

  it("tells the failures-only receiver nothing about a run that succeeded", () => {
    // Assess
    expect(slack.posts.some((m) => m.text.includes("FAILED"))).toBe(false);
  });
});
