import { PipelinePhase, type GitContext, type PipelineInfo, type Stage } from "../pipeline/types";

/** Shared wording for chat receivers, so Slack, Teams, Matrix and Discord say the same thing. */
export const PHASE_EMOJI = {
  [PipelinePhase.Pending]: "⏳",
  [PipelinePhase.Running]: "🔄",
  [PipelinePhase.Succeeded]: "✅",
  [PipelinePhase.Failed]: "❌",
  [PipelinePhase.Errored]: "⚠️",
  [PipelinePhase.Cancelled]: "🚫",
  [PipelinePhase.TimedOut]: "⏱️",
  [PipelinePhase.Skipped]: "⏭️",
} as const satisfies Record<PipelinePhase, string>;

export const PHASE_LABEL = {
  [PipelinePhase.Pending]: "Pending",
  [PipelinePhase.Running]: "Running",
  [PipelinePhase.Succeeded]: "Succeeded",
  [PipelinePhase.Failed]: "Failed",
  [PipelinePhase.Errored]: "Errored",
  [PipelinePhase.Cancelled]: "Cancelled",
  [PipelinePhase.TimedOut]: "Timed out",
  [PipelinePhase.Skipped]: "Skipped",
} as const satisfies Record<PipelinePhase, string>;

/** 0xRRGGBB per phase: green for success, red for failure, amber for the run's own limits, grey when stopped. */
export const PHASE_COLOR = {
  [PipelinePhase.Pending]: 0x95a5a6,
  [PipelinePhase.Running]: 0x3498db,
  [PipelinePhase.Succeeded]: 0x2eb67d,
  [PipelinePhase.Failed]: 0xe01e5a,
  [PipelinePhase.Errored]: 0xe01e5a,
  [PipelinePhase.Cancelled]: 0x7f8c8d,
  [PipelinePhase.TimedOut]: 0xecb22e,
  [PipelinePhase.Skipped]: 0x95a5a6,
} as const satisfies Record<PipelinePhase, number>;

export const phaseText = (phase: PipelinePhase): string => `${PHASE_EMOJI[phase]} ${PHASE_LABEL[phase]}`;

/** `45s`, `2m 05s`, `1h 02m`; undefined when either end is unknown or unparsable. */
export const formatDuration = (startedAt?: string, finishedAt?: string): string | undefined => {
  if (!startedAt || !finishedAt) return undefined;
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
};

export const runTitle = (info: PipelineInfo): string => `${info.kind} ${info.namespace}/${info.name}`;

/** One line for notifications and plain-text bodies: `✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s`. */
export const summaryLine = (info: PipelineInfo): string => {
  const took = formatDuration(info.startedAt, info.finishedAt);
  return `${PHASE_EMOJI[info.phase]} ${runTitle(info)} ${PHASE_LABEL[info.phase].toLowerCase()}${took ? ` in ${took}` : ""}`;
};

/** A stage's phase and duration, for card fields: `✅ Succeeded · 12s`. */
export const stageStatus = (stage: Stage): string => {
  const took = formatDuration(stage.startedAt, stage.finishedAt);
  return `${phaseText(stage.phase)}${took ? ` · ${took}` : ""}`;
};

/** `owner/repo@abc1234 (ref)` or undefined when the run has no git context. */
export const commitText = (git: GitContext | undefined): string | undefined => {
  if (!git?.sha) return undefined;
  const repo = git.owner && git.repo ? `${git.owner}/${git.repo}` : (git.repoUrl ?? "");
  const ref = git.pr ? `PR #${git.pr}` : git.ref?.replace(/^refs\/heads\//, "");
  return `${repo ? `${repo}@` : ""}${git.sha.slice(0, 7)}${ref ? ` (${ref})` : ""}`;
};

/** A link to the commit on the usual web UIs; undefined unless the repository URL is http(s). */
export const commitUrl = (git: GitContext | undefined): string | undefined => {
  if (!git?.sha || !git.repoUrl || !/^https?:\/\//.test(git.repoUrl)) return undefined;
  const base = git.repoUrl.replace(/\.git$/, "").replace(/\/$/, "");
  const path = git.provider === "gitlab" ? "/-/commit/" : git.provider === "bitbucket-cloud" ? "/commits/" : "/commit/";
  return `${base}${path}${git.sha}`;
};

/** Text from a cluster on one line: messages and logs carry newlines and runs of spaces. */
export const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();

/** Phases of a run, or of a stage, that failed. */
export const FAILED_PHASES: ReadonlySet<PipelinePhase> = new Set([PipelinePhase.Failed, PipelinePhase.Errored, PipelinePhase.TimedOut]);
const UNFINISHED_OR_FINE: ReadonlySet<PipelinePhase> = new Set([PipelinePhase.Pending, PipelinePhase.Running, PipelinePhase.Succeeded, PipelinePhase.Skipped]);

export interface Failure {
  /** The stage the run stopped at; absent when unknown or when it is the run itself (a Job is its own only stage). */
  readonly stage?: string;
  /** Why, on one line: the failed stage's message, else the run's own. Only for failed, errored and timed-out runs. */
  readonly reason?: string;
}

/**
 * Where and why a finished run did not succeed; undefined while it runs or
 * when it succeeded. The first stage that failed is blamed; a cancelled
 * stage only when none failed (a run stopped by its timeout cancels what
 * was still running), and then the run's message says why, not the stage's
 * ("cancelled as the PipelineRun it belongs to has timed out").
 */
export const failureOf = (info: Pick<PipelineInfo, "name" | "phase" | "stages" | "message">): Failure | undefined => {
  if (UNFINISHED_OR_FINE.has(info.phase)) return undefined;
  const failed = info.stages.find((s) => FAILED_PHASES.has(s.phase));
  const stage = failed ?? info.stages.find((s) => s.phase === PipelinePhase.Cancelled);
  const reason = FAILED_PHASES.has(info.phase) ? oneLine(failed?.message ?? info.message ?? "") : "";
  return { ...(stage && stage.name !== info.name ? { stage: stage.name } : {}), ...(reason ? { reason } : {}) };
};

/** Longest failure reason a chat message shows; the stage table and the dashboard have the rest. */
const NOTE_REASON_MAX = 300;

/**
 * The note under a chat message: for a run that failed at a stage, where and
 * why (`Failed at test: "step-build" exited with code 1`), which says more
 * than a PipelineRun's `Tasks Completed: 2 (Failed: 1, …)`; else the run's
 * own message.
 */
export const runNote = (info: PipelineInfo): string | undefined => {
  const failure = failureOf(info);
  if (failure?.stage === undefined || failure.reason === undefined) return info.message;
  return `${PHASE_LABEL[info.phase]} at ${failure.stage}: ${truncate(failure.reason, NOTE_REASON_MAX)}`;
};

/** Keeps the first `max` items and says how many were left out, so a long pipeline never breaks a chat limit. */
export const limitLines = (lines: readonly string[], max: number): string[] =>
  lines.length <= max ? [...lines] : [...lines.slice(0, max - 1), `… and ${lines.length - max + 1} more`];

export const truncate = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** Slack mrkdwn reserves only these three characters (api.slack.com/reference/surfaces/formatting#escaping). */
export const escapeMrkdwn = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
