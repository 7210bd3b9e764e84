import { z } from "zod";
import { PipelinePhase, type PipelineInfo } from "../pipeline/types";
import { secretReference } from "../secrets";
import { ReceiverError } from "./errors";
import { commitText, commitUrl, formatDuration, PHASE_EMOJI, phaseText, runNote, runTitle, stageStatus, summaryLine, truncate } from "./format";
import { CHAT_RATE_DEFAULTS, rateLimitOption } from "./rate-window";
import { renderTemplate, templateOption } from "./template";
import type { ReceiverFactory } from "./registry";
import { LifecycleEvent, type ReceiverContext, type ServiceContext } from "../pipeline/receiver";
import { eventsOption, PostingReceiver, resolveSecretUrl, sendJson, timeoutOption } from "./webhook";

const TeamsOptions = z.strictObject({
  /** The incoming webhook (Workflows or connector) URL, by reference: its query string is the credential. */
  url: secretReference(),
  /**
   * Incoming webhooks cannot edit what they posted, so Teams keeps no one
   * message per run (run-message.ts): by default a run is posted once, when
   * it finishes; each event listed posts a message of its own.
   */
  events: eventsOption([LifecycleEvent.Finished]),
  timeoutSeconds: timeoutOption,
  rateLimit: rateLimitOption(CHAT_RATE_DEFAULTS.teams),
  /** The card's text (Adaptive Card markdown) in place of the phase, facts, stages and note; the heading and the button stay. */
  template: templateOption().optional(),
});
export type TeamsOptions = z.output<typeof TeamsOptions>;

/** Adaptive Card text colours (adaptivecards.io/explorer/TextBlock.html). */
const PHASE_CARD_COLOR = {
  [PipelinePhase.Pending]: "Default",
  [PipelinePhase.Running]: "Accent",
  [PipelinePhase.Succeeded]: "Good",
  [PipelinePhase.Failed]: "Attention",
  [PipelinePhase.Errored]: "Attention",
  [PipelinePhase.Cancelled]: "Default",
  [PipelinePhase.TimedOut]: "Warning",
  [PipelinePhase.Skipped]: "Default",
} as const satisfies Record<PipelinePhase, string>;

const STAGES_MAX = 40;
/** A Teams message is at most about 28 KB (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-messages-using-curl-and-powershell). */
const TEXT_MAX = 20_000;
const ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";

type Fact = { title: string; value: string };

/** An Adaptive Card 1.4 (the newest version Teams renders everywhere) wrapped in the webhook's message envelope; a template's `text` is the card's body under the heading, and the notification. */
export const teamsMessage = (info: PipelineInfo, text?: string) => {
  const facts: Fact[] = [];
  const took = formatDuration(info.startedAt, info.finishedAt);
  if (took) facts.push({ title: "Duration", value: took });
  facts.push({ title: "Cluster", value: info.cluster });
  const commit = commitText(info.git);
  const link = commitUrl(info.git);
  if (commit) facts.push({ title: "Commit", value: link ? `[${commit}](${link})` : commit });

  const heading = { type: "TextBlock", text: `${PHASE_EMOJI[info.phase]} ${runTitle(info)}`, weight: "Bolder", size: "Medium", style: "heading", wrap: true };
  if (text !== undefined) return teamsEnvelope(info, truncate(text, 1000), [heading, { type: "TextBlock", text, wrap: true }]);
  const body: Record<string, unknown>[] = [
    heading,
    { type: "TextBlock", text: phaseText(info.phase), color: PHASE_CARD_COLOR[info.phase], weight: "Bolder", spacing: "None", wrap: true },
    { type: "FactSet", facts },
  ];
  if (info.stages.length > 0) {
    // A stage's link (processing.stageUrl) as markdown, which a fact's value renders.
    const stageFacts = info.stages.map((s) => ({ title: s.name, value: s.url ? `${stageStatus(s)} · [Open](${s.url})` : stageStatus(s) }));
    const shown = stageFacts.length > STAGES_MAX ? [...stageFacts.slice(0, STAGES_MAX - 1), { title: "…", value: `and ${stageFacts.length - STAGES_MAX + 1} more` }] : stageFacts;
    body.push({ type: "TextBlock", text: "Stages", weight: "Bolder", separator: true, wrap: true }, { type: "FactSet", facts: shown });
  }
  const note = runNote(info);
  if (note) body.push({ type: "TextBlock", text: truncate(note, 1000), isSubtle: true, wrap: true });
  return teamsEnvelope(info, summaryLine(info), body);
};

const teamsEnvelope = (info: PipelineInfo, summary: string, body: readonly Record<string, unknown>[]) => {
  return {
    type: "message",
    // Teams shows `summary` in notifications and the activity feed.
    summary,
    attachments: [
      {
        contentType: ADAPTIVE_CARD,
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          msteams: { width: "Full" },
          body,
          ...(info.dashboardUrl ? { actions: [{ type: "Action.OpenUrl", title: "View run", url: info.dashboardUrl }] } : {}),
        },
      },
    ],
  };
};

/**
 * Retired Office 365 connectors answered 200 with this text when Teams itself
 * throttled the post (learn.microsoft.com, "Rate limiting for connectors");
 * such a post was not delivered and is worth retrying.
 */
const CONNECTOR_FAILURE = /^Webhook message delivery failed/i;

/** Posts an Adaptive Card through a Teams incoming webhook (Workflows app or legacy connector). */
export class TeamsReceiver extends PostingReceiver {
  readonly #options: TeamsOptions;
  #url: string | undefined;

  constructor(name: string, options: TeamsOptions) {
    super(name, options.events, options.rateLimit);
    this.#options = options;
  }

  async initialize(_sc: ServiceContext): Promise<void> {
    this.#url = await resolveSecretUrl(this.#options.url, `receiver ${this.name}: options.url`);
  }

  protected async post(ctx: ReceiverContext, _event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#url) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const message = teamsMessage(info, renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }, TEXT_MAX));
    const text = await sendJson("teams", this.#url, JSON.stringify(message), { timeoutSeconds: this.#options.timeoutSeconds });
    if (CONNECTOR_FAILURE.test(text)) throw new ReceiverError(`teams ${new URL(this.#url).host} answered 200 but did not deliver: ${text.slice(0, 200)}`);
  }
}

export const teamsReceiverFactory: ReceiverFactory<typeof TeamsOptions> = {
  options: TeamsOptions,
  create: (name, options) => new TeamsReceiver(name, options),
};
