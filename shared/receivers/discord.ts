import { z } from "zod";
import type { PipelineInfo } from "../pipeline/types";
import { secretReference } from "../secrets";
import { ReceiverError } from "./errors";
import { commitText, commitUrl, formatDuration, PHASE_COLOR, PHASE_EMOJI, PHASE_LABEL, runNote, runTitle, stageStatus, summaryLine, truncate } from "./format";
import { CHAT_RATE_DEFAULTS, rateLimitOption } from "./rate-window";
import { renderTemplate, templateOption } from "./template";
import type { ReceiverFactory } from "./registry";
import { LifecycleEvent, type ReceiverContext, type ServiceContext } from "../pipeline/receiver";
import { eventsOption, PostingReceiver, resolveSecretUrl, timeoutOption } from "./webhook";
import { discordWriter } from "./discord-edit";
import { RunMessages } from "./run-message";

const DiscordOptions = z.strictObject({
  /** The channel webhook URL, by reference: its last path segment is the token. */
  url: secretReference(),
  /** Overrides the webhook's default name in the channel. */
  username: z.string().min(1).max(80).optional(),
  events: eventsOption([LifecycleEvent.Finished]),
  timeoutSeconds: timeoutOption,
  rateLimit: rateLimitOption(CHAT_RATE_DEFAULTS.discord),
  /** The embed's description (Discord markdown) in place of the facts and stage fields; title, colour and link stay. */
  template: templateOption().optional(),
});
export type DiscordOptions = z.output<typeof DiscordOptions>;

// Embed limits (discord.com/developers/docs/resources/message#embed-object-embed-limits):
// title 256, description 4096, 25 fields, field name 256 / value 1024, 6000 characters in all.
// Field text is kept short so 25 fields never push the embed past 6000.
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 1500;
const FIELDS_MAX = 25;
const FIELD_TEXT_MAX = 100;
/** A template's description may take the embed's whole 4096. */
const TEMPLATE_DESCRIPTION_MAX = 4096;

interface EmbedField {
  name: string;
  value: string;
  inline: boolean;
}

const stageFields = (info: PipelineInfo): EmbedField[] => {
  const fields = info.stages.map((s) => ({ name: truncate(s.name, FIELD_TEXT_MAX), value: truncate(stageStatus(s), FIELD_TEXT_MAX), inline: true }));
  if (fields.length <= FIELDS_MAX) return fields;
  return [...fields.slice(0, FIELDS_MAX - 1), { name: "…", value: `and ${fields.length - FIELDS_MAX + 1} more stages`, inline: true }];
};

/** Webhook body with one embed: title linked to the dashboard, colour by phase, one field per stage; a template's `text` is the whole description, without fields. */
export const discordMessage = (info: PipelineInfo, username?: string, text?: string) => {
  const lines: string[] = [];
  const took = formatDuration(info.startedAt, info.finishedAt);
  if (took) lines.push(`**Duration** ${took}`);
  lines.push(`**Cluster** ${info.cluster}`);
  const commit = commitText(info.git);
  const link = commitUrl(info.git);
  if (commit) lines.push(`**Commit** ${link ? `[${commit}](${link})` : commit}`);
  const note = runNote(info);
  if (note) lines.push(`> ${note}`);
  const timestamp = info.finishedAt ?? info.startedAt;
  return {
    ...(username ? { username } : {}),
    // Run names and messages are not ours: never let them ping @everyone or a role.
    allowed_mentions: { parse: [] as string[] },
    embeds: [
      {
        title: truncate(`${PHASE_EMOJI[info.phase]} ${runTitle(info)} — ${PHASE_LABEL[info.phase]}`, TITLE_MAX),
        ...(info.dashboardUrl ? { url: info.dashboardUrl } : {}),
        color: PHASE_COLOR[info.phase],
        description: text === undefined ? truncate(lines.join("\n"), DESCRIPTION_MAX) : truncate(text, TEMPLATE_DESCRIPTION_MAX),
        fields: text === undefined ? stageFields(info) : [],
        ...(timestamp ? { timestamp } : {}),
        footer: { text: truncate(summaryLine(info), FIELD_TEXT_MAX) },
      },
    ],
  };
};

/** Discord's 429 body carries `retry_after` in seconds (fractional); the Retry-After header is preferred when present. */
const discordRetryHint = (body: string): number | undefined => {
  try {
    const seconds = (JSON.parse(body) as { retry_after?: unknown }).retry_after;
    return typeof seconds === "number" && seconds >= 0 ? Math.ceil(seconds) : undefined;
  } catch {
    return undefined;
  }
};

/** Keeps one embed message per run through a Discord channel webhook: posted once, then edited (discord-edit.ts). */
export class DiscordReceiver extends PostingReceiver {
  readonly #options: DiscordOptions;
  #url: string | undefined;
  #messages: RunMessages | undefined;

  constructor(name: string, options: DiscordOptions) {
    super(name, options.events, options.rateLimit);
    this.#options = options;
  }

  async initialize(sc: ServiceContext): Promise<void> {
    this.#url = await resolveSecretUrl(this.#options.url, `receiver ${this.name}: options.url`);
    this.#messages = new RunMessages(this.name, sc.store);
  }

  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#url || !this.#messages) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const text = renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }, TEMPLATE_DESCRIPTION_MAX);
    const message = discordMessage(info, this.#options.username, text);
    await this.#messages.show(ctx.log, info, event, message, discordWriter(this.#url, message, { timeoutSeconds: this.#options.timeoutSeconds, retryHint: discordRetryHint }));
  }
}

export const discordReceiverFactory: ReceiverFactory<typeof DiscordOptions> = {
  options: DiscordOptions,
  create: (name, options) => new DiscordReceiver(name, options),
};
