/**
 * Pull request (GitHub) and merge request (GitLab) comments that are kept up
 * to date instead of added: one comment per (request, status name), found
 * again by a hidden marker in its body and then edited in place, so a run
 * that reports ten times leaves one comment, and people are notified once.
 *
 * Beside the CommitStatusProvider interface rather than in it: only some
 * SCMs and only some callers (the pipeline `scm` receiver) need comments.
 */
import { InvalidTargetError } from "./errors";
import type { RepoRef, WriteOutcome } from "./types";

/** One comment on one pull or merge request. */
export interface CommentTarget {
  readonly repo: RepoRef;
  /** The pull request number (GitHub) or merge request iid (GitLab). */
  readonly number: number;
  /** Text that only our comment for this status contains (a hidden HTML comment): its identity. */
  readonly marker: string;
}

export interface WrittenComment {
  readonly outcome: typeof WriteOutcome.Created | typeof WriteOutcome.Updated;
  /** Remember it and pass it back as `knownId`: the next write needs no search. */
  readonly commentId: number;
}

export interface PullRequestCommenter {
  readonly kind: string;
  /**
   * Makes the request's comment carrying `target.marker` read `body` (which
   * must contain the marker). With `knownId` it edits that comment; without,
   * or when that comment is gone, it searches for the marker once and edits
   * what it finds, or creates the comment.
   */
  writeComment(target: CommentTarget, body: string, knownId?: number): Promise<WrittenComment>;
}

export const PAGE_SIZE = 100;
/** A request with more comments than this is searched no further; a new comment is then created. */
export const MAX_PAGES = 10;

export const checkNumber = (target: CommentTarget): void => {
  if (!Number.isInteger(target.number) || target.number <= 0) {
    throw new InvalidTargetError("number", `${JSON.stringify(target.number)} is not a pull or merge request number`);
  }
  if (target.marker.trim() === "") throw new InvalidTargetError("marker", "cannot be empty");
};
