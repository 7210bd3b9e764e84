import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";
import { telegramRetryHint } from "../../../shared/receivers/telegram/message";
import { parseTelegramHtml } from "../../helpers/fake-chat";

const configError = (options: Record<string, unknown>): ConfigError => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [{ name: "bot", type: "telegram", options }],
  });
  try {
    createReceivers(config);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

const VALID = { botToken: "ssm:/kube-feedback/telegram-bot-token", chatId: "-1001234567890" };
const CHAT_ID_HINT = "must be a chat id such as -1001234567890 or a public channel's @username";

describe("Options: telegram", () => {
  it.each([
    { name: "a misspelt option", options: { ...VALID, disableNotifications: true }, path: "disableNotifications", reason: "unknown key" },
    { name: "a bot token given literally", options: { ...VALID, botToken: "123456:AAE-abc" }, path: "botToken", reason: /must be a secret reference/ },
    { name: "no chat", options: { botToken: VALID.botToken }, path: "chatId", reason: CHAT_ID_HINT },
    { name: "a chat given by name", options: { ...VALID, chatId: "#ci" }, path: "chatId", reason: CHAT_ID_HINT },
    { name: "a fractional chat id", options: { ...VALID, chatId: 1.5 }, path: "chatId", reason: CHAT_ID_HINT },
    { name: "a topic id of 0", options: { ...VALID, messageThreadId: 0 }, path: "messageThreadId", reason: "must be a topic id" },
    { name: "an apiUrl that is not http(s)", options: { ...VALID, apiUrl: "api.telegram.org" }, path: "apiUrl", reason: "must be an http(s) URL" },
    { name: "a rate limit of 0", options: { ...VALID, rateLimit: { perMinute: 0 } }, path: "rateLimit.perMinute", reason: "must be at least 1" },
  ])("stops at start on $name, naming receivers[0].options.$path", ({ options, path, reason }) => {
    // Act
    const error = configError(options);

    // Assess
    expect(error.path).toBe(`receivers[0].options.${path}`);
    if (typeof reason === "string") expect(error.reason).toBe(reason);
    else expect(error.reason).toMatch(reason);
  });
});

describe("Function: telegramRetryHint", () => {
  it.each([
    { body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}', hint: 5 },
    { body: '{"ok":false,"parameters":{"retry_after":2.5}}', hint: 3 },
    { body: '{"ok":false,"error_code":429,"description":"Too Many Requests"}', hint: undefined },
    { body: '{"ok":false,"parameters":{"retry_after":-1}}', hint: undefined },
    { body: "<html>Bad Gateway</html>", hint: undefined },
  ])("returns $hint for $body", ({ body, hint }) => {
    // Assess
    expect(telegramRetryHint(body)).toBe(hint);
  });
});

describe("Function: parseTelegramHtml (the fake's parser)", () => {
  it.each([
    { html: "a < b", error: /Unsupported start tag/ },
    { html: "a > b", error: /Unexpected end tag/ },
    { html: "R&D", error: /Character entity expected/ },
    { html: "<b>open", error: /Can't find end tag/ },
    { html: "<h1>x</h1>", error: /Unsupported start tag/ },
  ])("refuses $html as Telegram does", ({ html, error }) => {
    // Act
    const parsed = parseTelegramHtml(html);

    // Assess
    expect("error" in parsed && parsed.error).toMatch(error);
  });

  it("returns the text a chat shows", () => {
    // Assess
    expect(parseTelegramHtml('<b>a &lt;b&gt; &amp; &#39;c&#39;</b> <a href="https://x.example">link</a>')).toEqual({ text: "a <b> & 'c' link" });
  });
});
