/**
 * Discord's one message per run through the channel webhook:
 * - the first post asks for the message back (`?wait=true`: "waits for
 *   server confirmation of message send before response, and returns the
 *   created message body",
 *   https://discord.com/developers/docs/resources/webhook#execute-webhook),
 *   whose `id` is remembered;
 * - later callbacks edit it with
 *   `PATCH /webhooks/{webhook.id}/{webhook.token}/messages/{message.id}`
 *   (https://discord.com/developers/docs/resources/webhook#edit-webhook-message);
 *   an edit takes no `username` (nor `avatar_url`): the name the message was
 *   posted under stays;
 * - a 404 on the edit (10008 Unknown Message: someone deleted it) posts anew.
 * A `thread_id` in the configured URL is kept on both requests, as both
 * take it.
 */
import { ReceiverError } from "./errors";
import type { MessageWriter } from "./run-message";
import { sendJson, type SendOptions } from "./webhook";

/** The webhook URL with `wait=true` added to what its query already says. */
export const executeUrl = (webhookUrl: string): string => {
  const url = new URL(webhookUrl);
  url.searchParams.set("wait", "true");
  return url.toString();
};

/** `…/webhooks/{id}/{token}/messages/{messageId}`, keeping the webhook URL's query (`thread_id`). */
export const messageUrl = (webhookUrl: string, messageId: string): string => {
  const url = new URL(webhookUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/messages/${encodeURIComponent(messageId)}`;
  return url.toString();
};

const messageIdOf = (text: string): string | undefined => {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === "string" && id !== "" ? id : undefined;
  } catch {
    return undefined;
  }
};

/** Posts and edits one embed message through the webhook at `webhookUrl`. */
export const discordWriter = (webhookUrl: string, message: { username?: string } & Record<string, unknown>, send: SendOptions): MessageWriter => ({
  post: async () => {
    const text = await sendJson("discord", executeUrl(webhookUrl), JSON.stringify(message), send);
    const messageId = messageIdOf(text);
    if (!messageId) throw new ReceiverError(`discord ${new URL(webhookUrl).host} answered the post without a message id`);
    return { messageId };
  },
  edit: async (ref) => {
    const { username: _postedAs, ...edit } = message;
    await sendJson("discord", messageUrl(webhookUrl, ref.messageId!), JSON.stringify(edit), { ...send, method: "PATCH", gone: [404] });
  },
});
