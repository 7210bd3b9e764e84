/**
 * The mail about one run: a subject a mailbox rule can sort on and a plain
 * text body that reads the same in every client (no HTML to escape or to
 * be stripped). The wording comes from ../format.ts, so a mail says what
 * the chat receivers say.
 */
import type { LifecycleEvent } from "../../pipeline/receiver";
import type { PipelineInfo, Stage } from "../../pipeline/types";
import { commitText, commitUrl, formatDuration, limitLines, oneLine, PHASE_LABEL, runNote, runTitle, stageStatus, summaryLine, truncate } from "../format";

/** Long enough for any run's name; mail clients cut the rest of a long subject anyway. */
export const SUBJECT_MAX = 200;
/** A pipeline of hundreds of stages still makes a readable mail; the dashboard has them all. */
const STAGES_MAX = 100;
const STAGE_MESSAGE_MAX = 300;

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
}

/** `[prod] ❌ PipelineRun ci/build-7k2x9 failed in 2m 05s`: the cluster first, for filters. */
export const emailSubject = (info: PipelineInfo): string => truncate(`[${info.cluster}] ${summaryLine(info)}`, SUBJECT_MAX);

const field = (label: string, value: string | undefined): string[] => (value ? [`${`${label}:`.padEnd(11)}${value}`] : []);

const stageLines = (stage: Stage): string[] => {
  const line = `  ${stage.name} — ${stageStatus(stage)}`;
  const message = stage.message ? oneLine(stage.message) : "";
  return message ? [line, `      ${truncate(message, STAGE_MESSAGE_MAX)}`] : [line];
};

/** The plain text body: what happened, where to look, and the stages. */
export const emailText = (info: PipelineInfo, event: LifecycleEvent, receiver: string): string => {
  const note = runNote(info);
  const link = commitUrl(info.git);
  // One entry per stage (its message on the next line), so the limit counts stages.
  const stages = limitLines(info.stages.map((stage) => stageLines(stage).join("\n")), STAGES_MAX);
  const lines = [
    `${runTitle(info)} — ${PHASE_LABEL[info.phase]}`,
    ...(note ? ["", oneLine(note)] : []),
    "",
    ...field("Cluster", info.cluster),
    ...field("Namespace", info.namespace),
    ...field("Duration", formatDuration(info.startedAt, info.finishedAt)),
    ...field("Started", info.startedAt),
    ...field("Finished", info.finishedAt),
    ...field("Commit", commitText(info.git)),
    ...(link ? [`${"".padEnd(11)}${link}`] : []),
    ...field("Details", info.dashboardUrl),
    ...(stages.length > 0 ? ["", "Stages:", ...stages] : []),
    "",
    "-- ",
    `Sent by kube-feedback: receiver ${receiver}, ${event} callback.`,
  ];
  return `${lines.join("\n")}\n`;
};

export const emailMessage = (info: PipelineInfo, event: LifecycleEvent, receiver: string): EmailMessage => ({
  subject: emailSubject(info),
  text: emailText(info, event, receiver),
});
