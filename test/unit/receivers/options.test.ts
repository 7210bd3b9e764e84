import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../shared/config";
import { createReceivers, registeredReceiverTypes } from "../../../shared/receivers";

const configWith = (receivers: { name: string; type: string; options: Record<string, unknown> }[]) =>
  parseConfig({ cluster: "prod", watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }], receivers });

const configError = (receivers: Parameters<typeof configWith>[0]): ConfigError => {
  try {
    createReceivers(configWith(receivers));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

const MATRIX = { homeserverUrl: "https://matrix.example.org", roomId: "!ci:example.org", accessToken: "env:MATRIX_TOKEN" };

interface OptionCase {
  name: string;
  type: string;
  options: Record<string, unknown>;
  path: string;
  reason: string | RegExp;
}

describe("Function: createReceivers", () => {
  it("registers webhook, slack, teams, matrix and discord beside console", () => {
    // Act
    const types = registeredReceiverTypes();

    // Assess
    expect(types).toEqual(expect.arrayContaining(["console", "discord", "matrix", "slack", "teams", "webhook"]));
  });

  it("builds every receiver type from valid options", () => {
    // Prepare
    const config = configWith([
      { name: "hook", type: "webhook", options: { url: "https://ci.example.com/hook", secret: "ssm:/kube-feedback/hook", headers: { "X-Team": "a" } } },
      { name: "slack", type: "slack", options: { url: "env:SLACK_WEBHOOK_URL" } },
      { name: "teams", type: "teams", options: { url: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:teams-AbCdEf", events: ["started", "finished"] } },
      { name: "matrix", type: "matrix", options: MATRIX },
      { name: "discord", type: "discord", options: { url: "arn:aws:ssm:eu-west-1:123456789012:parameter/kube-feedback/discord" } },
    ]);

    // Act
    const receivers = createReceivers(config);

    // Assess
    expect(receivers.map((r) => r.receiver.name)).toEqual(["hook", "slack", "teams", "matrix", "discord"]);
  });

  it.each<OptionCase>([
    { name: "a webhook URL that is not a URL", type: "webhook", options: { url: "ci.example.com/hook" }, path: "url", reason: "must be an http(s) URL" },
    { name: "a webhook URL with another scheme", type: "webhook", options: { url: "ftp://ci.example.com" }, path: "url", reason: "must be an http(s) URL" },
    { name: "a misspelt webhook key", type: "webhook", options: { url: "https://a.example", secert: "env:X" }, path: "secert", reason: "unknown key" },
    { name: "a webhook secret given literally", type: "webhook", options: { url: "https://a.example", secret: "hunter2" }, path: "secret", reason: /must be a secret reference \(env:NAME, ssm:/ },
    { name: "a header the receiver sets", type: "webhook", options: { url: "https://a.example", headers: { "Content-Type": "text/plain" } }, path: "headers.Content-Type", reason: "is set by the receiver and cannot be overridden" },
    { name: "a header name with a space", type: "webhook", options: { url: "https://a.example", headers: { "X Team": "a" } }, path: "headers.X Team", reason: "must be an HTTP header name" },
    { name: "an unknown event", type: "webhook", options: { url: "https://a.example", events: ["finshed"] }, path: "events[0]", reason: /expected one of "created"\|"started"\|"progress"\|"finished"/ },
    { name: "no events", type: "slack", options: { url: "env:SLACK_URL", events: [] }, path: "events", reason: "list at least one of created, started, progress, finished" },
    { name: "a Slack URL given literally", type: "slack", options: { url: "https://hooks.slack.com/services/T/B/x" }, path: "url", reason: /must be a secret reference/ },
    { name: "a Teams URL given literally", type: "teams", options: { url: "https://prod.example.com/workflows/x" }, path: "url", reason: /must be a secret reference/ },
    { name: "a Discord URL given literally", type: "discord", options: { url: "https://discord.com/api/webhooks/1/t" }, path: "url", reason: /must be a secret reference/ },
    { name: "a malformed env reference", type: "discord", options: { url: "env:" }, path: "url", reason: /env: must be followed by an environment variable name/ },
    { name: "an ARN of another service", type: "slack", options: { url: "arn:aws:s3:::bucket/key" }, path: "url", reason: "is an ARN but not of an SSM parameter or a Secrets Manager secret" },
    { name: "a Slack receiver without url", type: "slack", options: {}, path: "url", reason: "is required: an incoming webhook URL, or else token and channel for a bot token" },
    { name: "a Slack url that is not a string", type: "slack", options: { url: 42 }, path: "url", reason: "must be a string such as env:NAME" },
    { name: "a Matrix token given literally", type: "matrix", options: { ...MATRIX, accessToken: "syt_abc" }, path: "accessToken", reason: /must be a secret reference/ },
    { name: "a Matrix room alias", type: "matrix", options: { ...MATRIX, roomId: "#ci:example.org" }, path: "roomId", reason: /must be a room ID such as !abc123:example.org, not an alias/ },
    { name: "a Matrix receiver without homeserver", type: "matrix", options: { roomId: "!ci:example.org", accessToken: "env:T" }, path: "homeserverUrl", reason: "is required" },
    { name: "an unknown Matrix msgtype", type: "matrix", options: { ...MATRIX, msgtype: "m.emote" }, path: "msgtype", reason: /expected one of "m.notice"\|"m.text"/ },
    { name: "a timeout over a minute", type: "teams", options: { url: "env:TEAMS_URL", timeoutSeconds: 300 }, path: "timeoutSeconds", reason: "at most 60 seconds" },
  ])("throws a ConfigError naming the option for $name", ({ type, options, path, reason }) => {
    // Act
    const error = configError([{ name: "r", type, options }]);

    // Assess
    expect(error.path).toBe(`receivers[0].options.${path}`);
    if (typeof reason === "string") expect(error.reason).toBe(reason);
    else expect(error.reason).toMatch(reason);
  });

  it("names the index of the receiver with the bad option", () => {
    // Act
    const error = configError([
      { name: "ok", type: "webhook", options: { url: "https://a.example" } },
      { name: "bad", type: "slack", options: { url: "https://hooks.slack.com/services/T/B/secret-token" } },
    ]);

    // Assess
    expect(error.path).toBe("receivers[1].options.url");
    expect(error.message).toBe(
      "invalid config: receivers[1].options.url: must be a secret reference (env:NAME, ssm:/parameter/name, k8s:namespace/secret#key, or an arn:aws:ssm:…:parameter/… or arn:aws:secretsmanager:… ARN), not the secret itself",
    );
    expect(error.message).not.toContain("secret-token");
  });
});
