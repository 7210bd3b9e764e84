/**
 * A Google Chat message with one card
 * (https://developers.google.com/workspace/chat/api/reference/rest/v1/cards):
 * `text` is what notifications show, the card has the run's facts, its
 * stages (collapsed past a few) and a button to the dashboard. Card text
 * takes a small HTML subset (`<b>`, `<a href>`, `<font color>`), so
 * everything from the cluster is escaped.
 */
import { PipelinePhase, type PipelineInfo, type Stage } from "../../pipeline/types";
import { commitText, commitUrl, escapeHtml, formatDuration, PHASE_EMOJI, phaseText, runNote, runTitle, stageStatus, summaryLine, truncate } from "../format";

/** Card text colours by phase; Chat renders `<font color>` in decorated text. */
const PHASE_FONT = {
  [PipelinePhase.Pending]: "#80868b",
  [PipelinePhase.Running]: "#1a73e8",
  [PipelinePhase.Succeeded]: "#188038",
  [PipelinePhase.Failed]: "#d93025",
  [PipelinePhase.Errored]: "#d93025",
  [PipelinePhase.Cancelled]: "#80868b",
  [PipelinePhase.TimedOut]: "#e37400",
  [PipelinePhase.Skipped]: "#80868b",
} as const satisfies Record<PipelinePhase, string>;

// A message is at most 32,000 bytes (https://developers.google.com/workspace/chat/create-messages);
// these keep a card of any pipeline well below it.
const TITLE_MAX = 200;
const NAME_MAX = 100;
const NOTE_MAX = 1000;
const STAGES_MAX = 40;
/** Stages shown before "Show more". */
const STAGES_OPEN = 5;
/** A template's text: long, and still far below the message's 32,000 bytes. */
export const TEMPLATE_TEXT_MAX = 4096;

type Widget = Record<string, unknown>;

const fact = (label: string, html: string): Widget => ({ decoratedText: { topLabel: label, text: html, wrapText: true } });

const stageWidget = (stage: Stage): Widget => ({
  decoratedText: {
    text: escapeHtml(truncate(stage.name, NAME_MAX)),
    bottomLabel: stageStatus(stage),
    wrapText: true,
    // A stage's link (processing.stageUrl) opens on a click on the stage.
    ...(stage.url ? { onClick: { openLink: { url: stage.url } } } : {}),
  },
});

const stageWidgets = (info: PipelineInfo): Widget[] => {
  const widgets = info.stages.slice(0, STAGES_MAX).map(stageWidget);
  if (info.stages.length > STAGES_MAX) widgets.push({ textParagraph: { text: `… and ${info.stages.length - STAGES_MAX} more stages` } });
  return widgets;
};

/** A template's `text` is the message's text, in place of the card's facts, stages and note; the card keeps its header and button. */
export const googleChatMessage = (info: PipelineInfo, text?: string) => {
  const facts: Widget[] = [fact("Phase", `<font color="${PHASE_FONT[info.phase]}">${phaseText(info.phase)}</font>`)];
  const took = formatDuration(info.startedAt, info.finishedAt);
  if (took) facts.push(fact("Duration", took));
  facts.push(fact("Cluster", escapeHtml(info.cluster)));
  const commit = commitText(info.git);
  const link = commitUrl(info.git);
  if (commit) facts.push(fact("Commit", link ? `<a href="${escapeHtml(link)}">${escapeHtml(commit)}</a>` : escapeHtml(commit)));

  const sections: Record<string, unknown>[] = text === undefined ? [{ widgets: facts }] : [];
  if (text === undefined && info.stages.length > 0) {
    sections.push({ header: "Stages", collapsible: info.stages.length > STAGES_OPEN, uncollapsibleWidgetsCount: STAGES_OPEN, widgets: stageWidgets(info) });
  }
  const note = runNote(info);
  if (note && text === undefined) sections.push({ widgets: [{ textParagraph: { text: `<i>${escapeHtml(truncate(note, NOTE_MAX))}</i>` } }] });
  if (info.dashboardUrl) {
    sections.push({ widgets: [{ buttonList: { buttons: [{ text: "View run", onClick: { openLink: { url: info.dashboardUrl } } }] } }] });
  }
  const card = {
    cardId: "run",
    card: {
      header: { title: truncate(`${PHASE_EMOJI[info.phase]} ${runTitle(info)}`, TITLE_MAX), subtitle: `${info.namespace} on ${info.cluster}` },
      sections,
    },
  };
  return {
    text: text ?? summaryLine(info),
    // A card needs a section: a template's text without a dashboard link goes alone.
    cardsV2: sections.length > 0 ? [card] : [],
    // One thread per run: its started and finished messages (when both are in `events`) read together.
    thread: { threadKey: `kube-feedback-${info.uid}` },
  };
};
