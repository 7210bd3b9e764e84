/**
 * `googlechat`: posts a card through a space's incoming webhook
 * (https://developers.google.com/workspace/chat/quickstart/webhooks). The
 * webhook URL is `spaces.messages.create` with the space's key and token in
 * the query string, so it is a secret, and the method's own query
 * parameters apply:
 * - `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD` with the
 *   body's `thread.threadKey` keeps one run's messages in one thread;
 * - `requestId`: "specifying an existing request ID returns the message
 *   created with that ID instead of creating a new message"
 *   (https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create),
 *   so a retried delivery after a lost answer posts once.
 *
 * Errors are Google's JSON (`{"error": {"code", "message", "status"}}`);
 * 429 `RESOURCE_EXHAUSTED` comes without Retry-After and is retried with
 * backoff, as Google asks (https://developers.google.com/workspace/chat/limits),
 * like a 5xx; 400, 403 and 404 (a deleted webhook) are permanent.
 */
import { z } from "zod";
import type { PipelineInfo } from "../../pipeline/types";
import { secretReference } from "../../secrets";
import { ReceiverError } from "../errors";
import { CHAT_RATE_DEFAULTS, rateLimitOption } from "../rate-window";
import type { ReceiverFactory } from "../registry";
import { LifecycleEvent, type ReceiverContext, type ServiceContext } from "../../pipeline/receiver";
import { deliveryId, eventsOption, PostingReceiver, resolveSecretUrl, sendJson, timeoutOption } from "../webhook";
import { renderTemplate, templateOption } from "../template";
import { googleChatMessage, TEMPLATE_TEXT_MAX } from "./message";

const GoogleChatOptions = z.strictObject({
  /** The space's incoming webhook URL, by reference: its `key` and `token` are the credential. */
  url: secretReference(),
  events: eventsOption([LifecycleEvent.Finished]),
  timeoutSeconds: timeoutOption,
  rateLimit: rateLimitOption(CHAT_RATE_DEFAULTS.googlechat),
  /** The message's text (Chat's own formatting, https://developers.google.com/workspace/chat/format-messages) in place of the card's facts. */
  template: templateOption().optional(),
});
export type GoogleChatOptions = z.output<typeof GoogleChatOptions>;

/** The webhook URL with the create method's parameters for one delivery; the webhook's own `key` and `token` stay. */
export const deliveryUrl = (webhookUrl: string, requestId: string): string => {
  const url = new URL(webhookUrl);
  url.searchParams.set("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
  url.searchParams.set("requestId", requestId);
  return url.toString();
};

export class GoogleChatReceiver extends PostingReceiver {
  readonly #options: GoogleChatOptions;
  #url: string | undefined;

  constructor(name: string, options: GoogleChatOptions) {
    super(name, options.events, options.rateLimit);
    this.#options = options;
  }

  async initialize(_sc: ServiceContext): Promise<void> {
    this.#url = await resolveSecretUrl(this.#options.url, `receiver ${this.name}: options.url`);
  }

  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#url) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const url = deliveryUrl(this.#url, `kube-feedback-${deliveryId(info, event)}`);
    const text = renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }, TEMPLATE_TEXT_MAX);
    await sendJson("googlechat", url, JSON.stringify(googleChatMessage(info, text)), { timeoutSeconds: this.#options.timeoutSeconds });
  }
}

export const googleChatReceiverFactory: ReceiverFactory<typeof GoogleChatOptions> = {
  options: GoogleChatOptions,
  create: (name, options) => new GoogleChatReceiver(name, options),
};
