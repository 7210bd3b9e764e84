/**
 * What the receiver sends and reads: the `sendMessage` body, whose text is
 * in the Bot API's HTML style
 * (https://core.telegram.org/bots/api#html-style): only `<b>`, `<i>`,
 * `<a href>`, `<code>` and a few more tags, and `<`, `>`, `&` escaped
 * everywhere else. A message is at most 4096 characters after the entities
 * are parsed, so each part from the cluster is cut before it is escaped and
 * the stage list is bounded: at most about 3600 characters whatever the run.
 */
import type { PipelineInfo, Stage } from "../../pipeline/types";
import { commitText, commitUrl, escapeHtml, formatDuration, limitLines, PHASE_EMOJI, PHASE_LABEL, runNote, runTitle, truncate } from "../format";

const NAME_MAX = 80;
const STAGES_MAX = 20;
const NOTE_MAX = 600;
const TITLE_MAX = 300;
const URL_MAX = 500;
/** A message's text is 1–4096 characters (https://core.telegram.org/bots/api#sendmessage). */
export const TEXT_MAX = 4096;

const stageLine = (stage: Stage): string => {
  const took = formatDuration(stage.startedAt, stage.finishedAt);
  return `${PHASE_EMOJI[stage.phase]} ${escapeHtml(truncate(stage.name, NAME_MAX))} · ${PHASE_LABEL[stage.phase]}${took ? ` · ${took}` : ""}`;
};

/** `<a>` only for http(s) links: Telegram refuses the whole message for an href it cannot use. */
const link = (href: string | undefined, text: string): string =>
  href && /^https?:\/\//.test(href) && href.length <= URL_MAX ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);

export const telegramText = (info: PipelineInfo): string => {
  const took = formatDuration(info.startedAt, info.finishedAt);
  const lines = [
    `<b>${escapeHtml(truncate(`${PHASE_EMOJI[info.phase]} ${runTitle(info)}`, TITLE_MAX))}</b>`,
    `${PHASE_LABEL[info.phase]}${took ? ` in ${took}` : ""} · cluster ${escapeHtml(truncate(info.cluster, NAME_MAX))}`,
  ];
  const commit = commitText(info.git);
  if (commit) lines.push(`Commit ${link(commitUrl(info.git), truncate(commit, TITLE_MAX))}`);
  if (info.stages.length > 0) lines.push("", ...limitLines(info.stages.map(stageLine), STAGES_MAX));
  const note = runNote(info);
  if (note) lines.push("", `<i>${escapeHtml(truncate(note, NOTE_MAX))}</i>`);
  if (info.dashboardUrl) lines.push("", link(info.dashboardUrl, "View run"));
  return lines.join("\n");
};

export interface MessageSettings {
  readonly chatId: string;
  readonly messageThreadId?: number | undefined;
  readonly disableNotification: boolean;
}

/** A template's `text` goes as plain text (no parse_mode): a `<` in a run's message cannot make Telegram refuse it. */
export const sendMessageBody = (info: PipelineInfo, settings: MessageSettings, text?: string) => ({
  chat_id: settings.chatId,
  ...(settings.messageThreadId === undefined ? {} : { message_thread_id: settings.messageThreadId }),
  ...(text === undefined ? { text: telegramText(info), parse_mode: "HTML" } : { text }),
  // A preview of the dashboard or commit link would take more room than the message.
  link_preview_options: { is_disabled: true },
  ...(settings.disableNotification ? { disable_notification: true } : {}),
});

/** Flood control's wait, whole seconds, from a failed call's `parameters.retry_after`. */
export const telegramRetryHint = (body: string): number | undefined => {
  try {
    const seconds = (JSON.parse(body) as { parameters?: { retry_after?: unknown } }).parameters?.retry_after;
    return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
  } catch {
    return undefined;
  }
};
