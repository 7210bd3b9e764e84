/**
 * The optional pull/merge request comment of the `scm` receiver: the run's
 * stage table, one comment per (request, status name), edited in place.
 * The comment is found by a hidden marker the first time and by the id the
 * receiver store remembers afterwards; an unchanged body is not sent again.
 */
import { createHash } from "node:crypto";
import type { Log } from "../log";
import type { PipelineInfo } from "../pipeline/types";
import { repoLabel, type StatusTarget } from "../scm";
import type { PullRequestCommenter } from "../scm/comments";
import { PHASE_EMOJI, PHASE_LABEL } from "./format";
import type { CredentialGuard } from "./scm-pause";
import { commitStatusRank, pipelineToCommitStatus, requestNumber, stageTableMarkdown } from "./scm-status";
import type { ReceiverStore } from "../pipeline/receiver";

/**
 * The hidden line that identifies our comment for one status name. An HTML
 * comment may not contain `--` (and `>` could end it early), so those are
 * percent-encoded.
 */
const hidden = (statusName: string): string => statusName.replace(/-(?=-)/g, "%2D").replace(/>/g, "%3E");

export const commentMarker = (statusName: string): string => `<!-- kube-feedback:${hidden(statusName)} -->`;

/**
 * The hidden line of the note that says where a status could not be written
 * (scm-fork.ts): its own prefix, so that neither marker is found in the
 * other's body, whatever the status names.
 */
export const unwrittenMarker = (statusName: string): string => `<!-- kube-feedback-unwritten:${hidden(statusName)} -->`;

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** GitHub keeps at most 65,536 characters of a comment's body; GitLab and Gitea more. */
export const COMMENT_TEXT_MAX = 65_000;

/** The comment's markdown: marker, a heading with the phase, one line of facts, the stage table; or the marker and a template's `text`. */
export const commentBody = (info: PipelineInfo, statusName: string, description: string, text?: string): string => {
  if (text !== undefined) return [commentMarker(statusName), text, ""].join("\n");
  const facts = [`${info.kind} ${code(`${info.namespace}/${info.name}`)}`];
  if (info.git?.sha) facts.push(`commit ${code(info.git.sha.slice(0, 7))}`);
  facts.push(description);
  if (info.dashboardUrl) facts.push(`[View run](${info.dashboardUrl})`);
  const table = stageTableMarkdown(info.stages);
  return [
    commentMarker(statusName),
    `### ${PHASE_EMOJI[info.phase]} ${code(statusName)} ${PHASE_LABEL[info.phase].toLowerCase()}`,
    "",
    facts.join(" · "),
    ...(table ? ["", table] : []),
    "",
  ].join("\n");
};

export const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

interface RememberedComment {
  uid: string;
  rank: number;
  commentId: number;
  body: string;
}

const isRemembered = (value: Record<string, unknown> | undefined): value is Record<string, unknown> & RememberedComment =>
  typeof value?.uid === "string" && typeof value.rank === "number" && typeof value.commentId === "number" && typeof value.body === "string";

export interface CommentDeps {
  readonly receiver: string;
  readonly commenter: PullRequestCommenter;
  readonly store: ReceiverStore;
  readonly log: Log;
  /** Checks and records the credential's rate-limit pause around the write (scm-pause.ts). */
  readonly guard?: CredentialGuard;
}

// The run's request number is read where the status target is (scm-status.ts); kept here too for importers.
export { requestNumber };

/** Brings the request's comment up to date with the run; no request when nothing changed. */
export const syncComment = async (deps: CommentDeps, info: PipelineInfo, target: StatusTarget, description: string, text?: string): Promise<void> => {
  const number = requestNumber(info);
  if (number === undefined) {
    deps.log.debug(`receiver ${deps.receiver}: no comment for ${info.id}: its git context names no pull or merge request`);
    return;
  }
  const key = `scm/${deps.receiver}/comment/${repoLabel(target.repo)}#${number}/${target.name}`;
  const body = commentBody(info, target.name, description, text);
  const rank = commitStatusRank(pipelineToCommitStatus(info.phase));
  const stored = await deps.store.get(key);
  const remembered = isRemembered(stored) ? stored : undefined;
  if (remembered?.body === digest(body)) return;
  if (remembered?.uid === info.uid && rank < remembered.rank) {
    deps.log.debug(`receiver ${deps.receiver}: comment for ${info.id} left alone: the run already reported a later state`);
    return;
  }
  const write = () => deps.commenter.writeComment({ repo: target.repo, number, marker: commentMarker(target.name) }, body, remembered?.commentId);
  const written = await (deps.guard ? deps.guard.run(target.repo, write) : write());
  const record: RememberedComment = { uid: info.uid, rank, commentId: written.commentId, body: digest(body) };
  await deps.store.put(key, { ...record });
};
