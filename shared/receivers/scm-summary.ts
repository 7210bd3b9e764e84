/**
 * What a commit status or check run says about a run. The one-line
 * description names the run first (`nightly-backup-29170560: 1/1 stages
 * succeeded in 19s`): the status name is the same for every run of a
 * CronJob or template, so the description is where people see which run
 * it was, and no provider's length limit may cut that off. A failed run's
 * line says which stage failed and why. Check runs also get the stage
 * table and a short "Why it failed" section in markdown.
 */
import { PipelinePhase, type PipelineInfo, type Stage } from "../pipeline/types";
import { FAILED_PHASES, failureOf, formatDuration, limitLines, oneLine, PHASE_EMOJI, PHASE_LABEL, truncate } from "./format";

type Described = Pick<PipelineInfo, "name" | "phase" | "stages" | "startedAt" | "finishedAt" | "message">;

/**
 * Longest failure reason a description carries: even where the SCM takes
 * 64 KiB (a check run's summary) it is one line to read at a glance, and the
 * "Why it failed" section has room for more.
 */
const REASON_MAX = 200;
/** A reason cut shorter than this says nothing; the tally is shown instead. */
const REASON_MIN = 16;
/** Per stage in the "Why it failed" section, and how many stages it lists. */
const SECTION_REASON_MAX = 1000;
const SECTION_STAGES_MAX = 20;

const succeededCount = (stages: readonly Stage[]): number => stages.filter((s) => s.phase === PipelinePhase.Succeeded).length;

interface Parts {
  /** `Failed at test`, `Running`, `3/3 stages succeeded`: always shown. */
  readonly verdict: string;
  /** `1/2 stages succeeded in 1m 03s`: shown when it fits. */
  readonly tally: string;
  /** Why a failed run failed: shown when it fits, else cut. */
  readonly reason?: string;
}

/**
 * `Running`, or `Running, test failed` once a stage failed while others go
 * on: a failed stage is the one progress the scm receiver posts before the
 * run ends, and a commit status shows only this line.
 */
const runningVerdict = (stages: readonly Stage[]): string => {
  const failed = stages.filter((s) => FAILED_PHASES.has(s.phase));
  if (failed.length === 0) return "Running";
  return failed.length === 1 ? `Running, ${failed[0]!.name} failed` : `Running, ${failed.length} stages failed`;
};

const partsOf = (info: Described): Parts => {
  const total = info.stages.length;
  const counted = total > 0 ? `${succeededCount(info.stages)}/${total} stages succeeded` : "";
  if (info.phase === PipelinePhase.Pending) return { verdict: "Queued", tally: "" };
  if (info.phase === PipelinePhase.Running) return { verdict: runningVerdict(info.stages), tally: counted };
  const took = formatDuration(info.startedAt, info.finishedAt);
  const tally = [counted, took ? `in ${took}` : ""].filter(Boolean).join(" ");
  if (info.phase === PipelinePhase.Succeeded) return { verdict: counted || "Succeeded", tally: took ? `in ${took}` : "" };
  const failure = failureOf(info);
  const verdict = `${PHASE_LABEL[info.phase]}${failure?.stage ? ` at ${failure.stage}` : ""}`;
  return { verdict, tally, ...(failure?.reason ? { reason: truncate(failure.reason, REASON_MAX) } : {}) };
};

/** `Failed at test: 1/2 stages succeeded in 1m 03s`, `3/3 stages succeeded in 1m 03s`, `Cancelled in 5s`. */
const withTally = ({ verdict, tally }: Parts): string =>
  !tally ? verdict : tally.startsWith("in ") ? `${verdict} ${tally}` : `${verdict}: ${tally}`;

/** `Failed at test: "step-build" exited with code 1 (1/2 stages succeeded in 1m 03s)`. */
const withReason = (parts: Parts, reason: string, tally: boolean): string =>
  `${parts.verdict}: ${reason}${tally && parts.tally ? ` (${parts.tally})` : ""}`;

/**
 * The outcome without the run's name, for places that name the run
 * already (the pull request comment): verdict, reason and tally.
 */
export const runOutcome = (info: Described): string => {
  const parts = partsOf(info);
  return parts.reason ? withReason(parts, parts.reason, true) : withTally(parts);
};

/**
 * One line for a status: the run's name, then the outcome, fitted to the
 * provider's description limit so that what matters most survives. The
 * name and the verdict come first; a failure reason is kept before the
 * tally, and cut (with an ellipsis) before it is dropped. Without a limit,
 * everything is kept.
 */
export const statusDescription = (info: Described, limit = Number.POSITIVE_INFINITY): string => {
  const head = `${info.name}: `;
  const parts = partsOf(info);
  const fits = (line: string) => line.length <= limit;
  const { reason } = parts;
  if (reason) {
    for (const line of [head + withReason(parts, reason, true), head + withReason(parts, reason, false)]) if (fits(line)) return line;
    const room = limit - head.length - parts.verdict.length - 2;
    if (room >= REASON_MIN) return head + withReason(parts, truncate(reason, room), false);
  }
  // A name longer than the limit is cut too, but never by anything after it.
  return truncate(head + withTally(parts), limit);
};

/** Pipes and line breaks would end a markdown table cell. */
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");

/** `%29` for `)`: what would end a link's destination or a table cell early. */
const percent = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;

/** A markdown link; brackets in the text are escaped. */
const linked = (text: string, url: string | undefined): string =>
  url ? `[${text.replace(/[[\]]/g, "\\$&")}](${url.replace(/[()\s|<>]/g, percent)})` : text;

/** The stage table in GitHub-flavoured markdown, for check runs and PR comments; empty without stages. A stage links to its `processing.stageUrl`. */
export const stageTableMarkdown = (stages: readonly Stage[]): string => {
  if (stages.length === 0) return "";
  const rows = stages.map((s) => `| ${linked(cell(s.name), s.url)} | ${PHASE_EMOJI[s.phase]} ${PHASE_LABEL[s.phase]} | ${formatDuration(s.startedAt, s.finishedAt) ?? ""} |`);
  return ["| Stage | Phase | Duration |", "| --- | --- | --- |", ...rows].join("\n");
};

/** Inline code that a backtick in a name cannot end early. */
const code = (text: string): string => `\`${oneLine(text).replace(/`/g, "'")}\``;

/**
 * "Why it failed" for a failed, errored or timed-out run: each failed stage
 * with its message, or the run's own message when no stage says why (a
 * PipelineRun that failed validation has no stages). Empty otherwise.
 */
export const failureMarkdown = (info: Described): string => {
  if (!FAILED_PHASES.has(info.phase)) return "";
  const failed = info.stages.filter((s) => FAILED_PHASES.has(s.phase));
  const lines = failed.map((s) => {
    const why = s.message ? `: ${truncate(oneLine(s.message), SECTION_REASON_MAX)}` : "";
    return `- ${linked(code(s.name), s.url)} ${PHASE_EMOJI[s.phase]} ${PHASE_LABEL[s.phase]}${why}`;
  });
  if (info.message && !failed.some((s) => s.message)) {
    lines.push(`- ${code(info.name)} ${PHASE_EMOJI[info.phase]} ${PHASE_LABEL[info.phase]}: ${truncate(oneLine(info.message), SECTION_REASON_MAX)}`);
  }
  return lines.length === 0 ? "" : ["### Why it failed", "", ...limitLines(lines, SECTION_STAGES_MAX)].join("\n");
};

/** A check run's `output.text`: the stage table and, for a failure, why; empty when there is neither. */
export const checkRunDetails = (info: Described): string =>
  [stageTableMarkdown(info.stages), failureMarkdown(info)].filter(Boolean).join("\n\n");
