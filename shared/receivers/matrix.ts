import { z } from "zod";
import type { PipelineInfo, Stage } from "../pipeline/types";
import { resolveSecret, secretReference } from "../secrets";
import { ReceiverError } from "./errors";
import {
  commitText,
  commitUrl,
  escapeHtml,
  formatDuration,
  limitLines,
  PHASE_EMOJI,
  PHASE_LABEL,
  runNote,
  stageStatus,
  summaryLine,
} from "./format";
import { CHAT_RATE_DEFAULTS, rateLimitOption } from "./rate-window";
import { renderTemplate, templateOption } from "./template";
import type { ReceiverFactory } from "./registry";
import { LifecycleEvent, type ReceiverContext, type ServiceContext } from "../pipeline/receiver";
import { eventsOption, httpUrl, PostingReceiver, timeoutOption } from "./webhook";
import { matrixWriter } from "./matrix-edit";
import { RunMessages } from "./run-message";

const MatrixOptions = z.strictObject({
  /** Client-server API base, e.g. https://matrix.example.org. */
  homeserverUrl: httpUrl(),
  /** `/send` takes a room ID, not an alias; room versions 12+ have IDs without a server part. */
  roomId: z.string().regex(/^![^\s/]+$/, "must be a room ID such as !abc123:example.org, not an alias (Element shows it in Room settings › Advanced)"),
  /** The bot user's access token, by reference. */
  accessToken: secretReference(),
  /** Bots conventionally send `m.notice`, which clients and other bots do not answer. */
  msgtype: z.enum(["m.notice", "m.text"]).default("m.notice"),
  events: eventsOption([LifecycleEvent.Finished]),
  timeoutSeconds: timeoutOption,
  rateLimit: rateLimitOption(CHAT_RATE_DEFAULTS.matrix),
  /** The message's text, sent as plain text (`body`, and escaped in `formatted_body`). */
  template: templateOption().optional(),
});
export type MatrixOptions = z.output<typeof MatrixOptions>;

const STAGES_MAX = 50;
/** Events are at most 65,536 bytes (spec.matrix.org/latest/client-server-api/#size-limits): room for the text in both forms. */
const TEXT_MAX = 16_000;

const htmlStage = (stage: Stage): string => {
  const took = formatDuration(stage.startedAt, stage.finishedAt);
  const name = stage.url ? `<a href="${escapeHtml(stage.url)}">${escapeHtml(stage.name)}</a>` : escapeHtml(stage.name);
  return `<li>${PHASE_EMOJI[stage.phase]} <b>${name}</b> ${PHASE_LABEL[stage.phase]}${took ? ` · ${took}` : ""}</li>`;
};

/** `m.room.message` content: plain `body` for every client, `formatted_body` HTML for those that render it. A template's `text` is both, as plain text. */
export const matrixMessage = (info: PipelineInfo, msgtype: MatrixOptions["msgtype"] = "m.notice", text?: string) => {
  if (text !== undefined) return { msgtype, body: text, format: "org.matrix.custom.html", formatted_body: escapeHtml(text).replace(/\r?\n/g, "<br>") };
  const facts: string[] = [];
  const plainFacts: string[] = [];
  const took = formatDuration(info.startedAt, info.finishedAt);
  if (took) {
    facts.push(`Duration: ${took}`);
    plainFacts.push(`Duration: ${took}`);
  }
  facts.push(`Cluster: ${escapeHtml(info.cluster)}`);
  plainFacts.push(`Cluster: ${info.cluster}`);
  const commit = commitText(info.git);
  const link = commitUrl(info.git);
  if (commit) {
    facts.push(`Commit: ${link ? `<a href="${escapeHtml(link)}">${escapeHtml(commit)}</a>` : escapeHtml(commit)}`);
    plainFacts.push(`Commit: ${commit}${link ? ` ${link}` : ""}`);
  }

  const html = [`<h4>${escapeHtml(summaryLine(info))}</h4>`, `<p>${facts.join(" · ")}</p>`];
  const plain = [summaryLine(info), plainFacts.join(" · ")];
  if (info.stages.length > 0) {
    html.push(`<ul>${limitLines(info.stages.map(htmlStage), STAGES_MAX).map((l) => (l.startsWith("<li>") ? l : `<li>${escapeHtml(l)}</li>`)).join("")}</ul>`);
    plain.push(...limitLines(info.stages.map((s) => `- ${s.name}: ${stageStatus(s)}`), STAGES_MAX));
  }
  const note = runNote(info);
  if (note) {
    html.push(`<p><i>${escapeHtml(note)}</i></p>`);
    plain.push(note);
  }
  if (info.dashboardUrl) {
    html.push(`<p><a href="${escapeHtml(info.dashboardUrl)}">View run</a></p>`);
    plain.push(info.dashboardUrl);
  }
  return { msgtype, body: plain.join("\n"), format: "org.matrix.custom.html", formatted_body: html.join("") };
};

/** Matrix puts the delay in the body (`M_LIMIT_EXCEEDED`, `retry_after_ms`) on servers that send no Retry-After. */
const matrixRetryHint = (body: string): number | undefined => {
  try {
    const ms = (JSON.parse(body) as { retry_after_ms?: unknown }).retry_after_ms;
    return typeof ms === "number" && ms >= 0 ? Math.ceil(ms / 1000) : undefined;
  } catch {
    return undefined;
  }
};

/** Keeps one `m.room.message` per run with the client-server API: sent once, then edited (matrix-edit.ts). */
export class MatrixReceiver extends PostingReceiver {
  readonly #options: MatrixOptions;
  #token: string | undefined;
  #messages: RunMessages | undefined;

  constructor(name: string, options: MatrixOptions) {
    super(name, options.events, options.rateLimit);
    this.#options = options;
  }

  async initialize(sc: ServiceContext): Promise<void> {
    this.#token = await resolveSecret(this.#options.accessToken, { field: `receiver ${this.name}: options.accessToken` });
    this.#messages = new RunMessages(this.name, sc.store);
  }

  /**
   * Transaction ids are derived from the run and callback: the homeserver
   * answers a repeated PUT with the first event's id instead of posting
   * twice, so an SQS retry after a lost response is harmless.
   */
  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#token || !this.#messages) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const room = {
      base: this.#options.homeserverUrl.replace(/\/+$/, ""),
      roomId: this.#options.roomId,
      send: { headers: { authorization: `Bearer ${this.#token}` }, timeoutSeconds: this.#options.timeoutSeconds, retryHint: matrixRetryHint },
    };
    const content = matrixMessage(info, this.#options.msgtype, renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }, TEXT_MAX));
    await this.#messages.show(ctx.log, info, event, content, matrixWriter(room, content, info, event));
  }
}

export const matrixReceiverFactory: ReceiverFactory<typeof MatrixOptions> = {
  options: MatrixOptions,
  create: (name, options) => new MatrixReceiver(name, options),
};
