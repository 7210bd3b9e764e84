/**
 * `telegram`: sends the run as an HTML message with the Bot API's
 * `sendMessage` (https://core.telegram.org/bots/api#sendmessage).
 *
 * Every answer is `{"ok": …}`; a failure has `error_code`, `description`
 * and sometimes `parameters` (https://core.telegram.org/bots/api#responseparameters):
 * flood control answers 429 with `parameters.retry_after`, the seconds to
 * wait, and usually no Retry-After header, so the body is read for it. 400
 * (chat not found, a group upgraded to a supergroup: its
 * `migrate_to_chat_id` is in the error), 401 (a revoked token) and 403 (the
 * bot was removed from the chat) are permanent; 5xx is retried with backoff.
 */
import { z } from "zod";
import type { PipelineInfo } from "../../pipeline/types";
import { resolveSecret, secretReference } from "../../secrets";
import { ReceiverError } from "../errors";
import { CHAT_RATE_DEFAULTS, rateLimitOption } from "../rate-window";
import type { ReceiverFactory } from "../registry";
import { LifecycleEvent, type ReceiverContext, type ServiceContext } from "../../pipeline/receiver";
import { eventsOption, httpUrl, PostingReceiver, sendJson, timeoutOption } from "../webhook";
import { renderTemplate, templateOption } from "../template";
import { sendMessageBody, telegramRetryHint, TEXT_MAX } from "./message";

const CHAT_ID = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;
const CHAT_ID_HINT = "must be a chat id such as -1001234567890 or a public channel's @username";
/** `<bot id>:<secret>` as BotFather gives it; anything else would change the request path. */
const BOT_TOKEN = /^\d+:[A-Za-z0-9_-]+$/;

const TelegramOptions = z.strictObject({
  /** The bot's token from BotFather, by reference: it is in the request path. */
  botToken: secretReference(),
  /** YAML reads a numeric id as a number; both forms are sent as the string the API also takes. */
  chatId: z.union([z.number(), z.string()], { error: CHAT_ID_HINT }).transform(String).pipe(z.string().trim().regex(CHAT_ID, CHAT_ID_HINT)),
  /** A forum topic of a supergroup. */
  messageThreadId: z.number().int("must be a whole number").positive("must be a topic id").optional(),
  /** Deliver without sound. */
  disableNotification: z.boolean().default(false),
  /** A local Bot API server (https://core.telegram.org/bots/api#using-a-local-bot-api-server) instead of Telegram's. */
  apiUrl: httpUrl().default("https://api.telegram.org"),
  events: eventsOption([LifecycleEvent.Finished]),
  timeoutSeconds: timeoutOption,
  rateLimit: rateLimitOption(CHAT_RATE_DEFAULTS.telegram),
  /** The message's text, sent as plain text. */
  template: templateOption().optional(),
});
export type TelegramOptions = z.output<typeof TelegramOptions>;

export class TelegramReceiver extends PostingReceiver {
  readonly #options: TelegramOptions;
  #url: string | undefined;

  constructor(name: string, options: TelegramOptions) {
    super(name, options.events, options.rateLimit);
    this.#options = options;
  }

  async initialize(_sc: ServiceContext): Promise<void> {
    const token = await resolveSecret(this.#options.botToken, { field: `receiver ${this.name}: options.botToken` });
    if (!BOT_TOKEN.test(token)) throw new ReceiverError(`receiver ${this.name}: options.botToken: the secret it points at is not a bot token (<digits>:<letters>)`);
    this.#url = `${this.#options.apiUrl.replace(/\/+$/, "")}/bot${token}/sendMessage`;
  }

  protected async post(ctx: ReceiverContext, _event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#url) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    // Errors name the host only: the path holds the token.
    const text = renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }, TEXT_MAX);
    await sendJson("telegram", this.#url, JSON.stringify(sendMessageBody(info, this.#options, text)), {
      timeoutSeconds: this.#options.timeoutSeconds,
      retryHint: telegramRetryHint,
    });
  }
}

export const telegramReceiverFactory: ReceiverFactory<typeof TelegramOptions> = {
  options: TelegramOptions,
  create: (name, options) => new TelegramReceiver(name, options),
};
