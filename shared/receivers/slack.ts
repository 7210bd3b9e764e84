import type { IncomingWebhook, IncomingWebhookSendArguments } from "@slack/webhook";
import { z } from "zod";
import type { PipelineInfo } from "../pipeline/types";
import { secretReference } from "../secrets";
import { ReceiverError } from "./errors";
import {
  commitText,
  commitUrl,
  escapeMrkdwn,
  formatDuration,
  limitLines,
  PHASE_EMOJI,
  PHASE_LABEL,
  phaseText,
  runNote,
  runTitle,
  summaryLine,
  truncate,
} from "./format";
import { CHAT_RATE_DEFAULTS, rateLimitOption } from "./rate-window";
import { renderTemplate, templateOption } from "./template";
import type { ReceiverFactory } from "./registry";
import { LifecycleEvent, type ReceiverContext, type ServiceContext } from "../pipeline/receiver";
import { eventsOption, networkError, PostingReceiver, resolveSecretUrl, responseError, timeoutOption } from "./webhook";
import { oneSlackTarget, SlackRunThread, slackWebOptions } from "./slack-web";

const SlackOptions = z
  .strictObject({
    /** The incoming webhook URL, by reference: its path is the credential. Or else `token` and `channel` (slack-web.ts). */
    url: secretReference().optional(),
    ...slackWebOptions,
    events: eventsOption([LifecycleEvent.Finished]),
    timeoutSeconds: timeoutOption,
    rateLimit: rateLimitOption(CHAT_RATE_DEFAULTS.slack),
    /** The message's text (mrkdwn) in place of the facts, stages and note; the header and the button stay. */
    template: templateOption().optional(),
  })
  .superRefine(oneSlackTarget);
export type SlackOptions = z.output<typeof SlackOptions>;

type Blocks = NonNullable<IncomingWebhookSendArguments["blocks"]>;
type Field = { type: "mrkdwn"; text: string };

// Block Kit limits (api.slack.com/reference/block-kit/blocks): header 150 chars, section text 3000, 10 fields.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const STAGE_LINES_MAX = 40;
/** A message's `text` is cut at 40,000 characters (api.slack.com/methods/chat.postMessage#truncating). */
const TEXT_MAX = 40_000;

const stageLine = (stage: PipelineInfo["stages"][number], linked = true): string => {
  const took = formatDuration(stage.startedAt, stage.finishedAt);
  // A stage with a link (processing.stageUrl) links its name; `|` and `>` would end the link early.
  const name = linked && stage.url ? `<${stage.url.replace(/[|<>]/g, encodeURIComponent)}|${escapeMrkdwn(stage.name)}>` : escapeMrkdwn(stage.name);
  return `${PHASE_EMOJI[stage.phase]} *${name}* ${PHASE_LABEL[stage.phase]}${took ? ` · ${took}` : ""}`;
};

/**
 * Block Kit message: header, phase and facts, stages, a button to the
 * dashboard. `text` is the notification fallback. A template's `text`
 * replaces the facts, stages and note with one section and is the
 * notification too.
 */
export const slackMessage = (info: PipelineInfo, text?: string): IncomingWebhookSendArguments => {
  const header = { type: "header", text: { type: "plain_text", text: truncate(`${PHASE_EMOJI[info.phase]} ${runTitle(info)}`, HEADER_MAX), emoji: true } } as const;
  const actions: Blocks = info.dashboardUrl
    ? [{ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "View run" }, url: info.dashboardUrl, action_id: "view-run" }] }]
    : [];
  if (text !== undefined) return { text, blocks: [header, { type: "section", text: { type: "mrkdwn", text: truncate(text, SECTION_MAX) } }, ...actions] };
  const fields: Field[] = [{ type: "mrkdwn", text: `*Phase*\n${phaseText(info.phase)}` }];
  const took = formatDuration(info.startedAt, info.finishedAt);
  if (took) fields.push({ type: "mrkdwn", text: `*Duration*\n${took}` });
  fields.push({ type: "mrkdwn", text: `*Cluster*\n${escapeMrkdwn(info.cluster)}` });
  const commit = commitText(info.git);
  const link = commitUrl(info.git);
  if (commit) fields.push({ type: "mrkdwn", text: `*Commit*\n${link ? `<${link}|${escapeMrkdwn(commit)}>` : escapeMrkdwn(commit)}` });

  const blocks: Blocks = [header, { type: "section", fields }];
  if (info.stages.length > 0) {
    const section = (linked: boolean) => `*Stages*\n${limitLines(info.stages.map((s) => stageLine(s, linked)), STAGE_LINES_MAX).join("\n")}`;
    // Links make long lines: without them when the section would not hold them all, so that no link is cut in half.
    const withLinks = section(true);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(withLinks.length <= SECTION_MAX ? withLinks : section(false), SECTION_MAX) } });
  }
  const note = runNote(info);
  if (note) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: truncate(escapeMrkdwn(note), SECTION_MAX) }] });
  blocks.push(...actions);
  return { text: summaryLine(info), blocks };
};

interface SlackHttpError {
  code?: string;
  original?: { response?: { status: number; headers?: Record<string, unknown>; data?: unknown } };
}

/** `@slack/webhook` wraps axios errors; they go through the same classifier as the fetch receivers' answers. */
const slackError = (host: string, error: unknown): Error => {
  const response = (error as SlackHttpError).original?.response;
  if ((error as SlackHttpError).code !== "slack_webhook_http_error" || !response) return networkError("slack", host, error);
  const detail = typeof response.data === "string" ? response.data.slice(0, 200) : undefined;
  return responseError("slack", host, response.status, { ...(response.headers ? { headers: response.headers } : {}), ...(detail ? { detail } : {}) });
};

/** Posts a Block Kit message through a Slack incoming webhook, or keeps one message per run with a bot token. */
export class SlackReceiver extends PostingReceiver {
  readonly #options: SlackOptions;
  #webhook: IncomingWebhook | undefined;
  #thread: SlackRunThread | undefined;
  #host = "";

  constructor(name: string, options: SlackOptions) {
    super(name, options.events, options.rateLimit);
    this.#options = options;
  }

  async initialize(sc: ServiceContext): Promise<void> {
    const { token, channel, apiUrl, timeoutSeconds } = this.#options;
    if (token !== undefined && channel !== undefined) {
      this.#thread = await SlackRunThread.start(this.name, { token, channel, apiUrl, timeoutSeconds }, sc);
      return;
    }
    const url = await resolveSecretUrl(this.#options.url!, `receiver ${this.name}: options.url`);
    // Loaded here so deployments without Slack never load axios.
    const { IncomingWebhook } = await import("@slack/webhook");
    // No client retries: a failed post is retried by SQS with backoff, and only for this receiver.
    const defaults: { timeout?: number; retryConfig: { retries: number } } = { timeout: this.#options.timeoutSeconds * 1000, retryConfig: { retries: 0 } };
    this.#webhook = new IncomingWebhook(url, defaults);
    // The client copies its defaults into every message body and strips only agent and retryConfig;
    // axios has already taken the timeout, so drop it from the shared object to keep it out of the message.
    delete defaults.timeout;
    this.#host = new URL(url).host;
  }

  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    const message = slackMessage(info, renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }, TEXT_MAX));
    if (this.#thread) return this.#thread.post(ctx, event, info, message, () => this.takeRateSlot());
    if (!this.#webhook) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    try {
      await this.#webhook.send(message);
    } catch (error) {
      throw slackError(this.#host, error);
    }
  }
}

export const slackReceiverFactory: ReceiverFactory<typeof SlackOptions> = {
  options: SlackOptions,
  create: (name, options) => new SlackReceiver(name, options),
};
