/**
 * Pull request (GitHub) and merge request (GitLab) comments that are kept up
 * to date instead of added: one comment per (request, status name), found
 * again by a hidden marker in its body and then edited in place, so a run
 * that reports ten times leaves one comment, and people are notified once.
 *
 * Beside the CommitStatusProvider interface rather than in it: only some
 * SCMs and only some callers (the pipeline `scm` receiver) need comments.
 */
import { MergeRequestNotes } from "@gitbeaker/rest";
import type { Octokit } from "@octokit/rest";
import { toScmError, type FailureContext } from "./classify";
import { InvalidTargetError, ScmError, UnsupportedProviderError } from "./errors";
import { failureOf as gitHubFailureOf, GitHubClients, parseGitHubOptions, statusOf, type GitHubOptions } from "./github-auth";
import { failureOf as gitLabFailureOf, GitLabOptionsSchema, type GitLabOptions } from "./gitlab";
import { singleAttemptRequester } from "./gitlab-requester";
import { DEFAULT_TIMEOUT_MS, parseProviderOptions } from "./options";
import { repoLabel } from "./target";
import { ProviderKind, WriteOutcome, type RepoRef } from "./types";

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
  readonly kind: ProviderKind;
  /**
   * Makes the request's comment carrying `target.marker` read `body` (which
   * must contain the marker). With `knownId` it edits that comment; without,
   * or when that comment is gone, it searches for the marker once and edits
   * what it finds, or creates the comment.
   */
  writeComment(target: CommentTarget, body: string, knownId?: number): Promise<WrittenComment>;
}

export const COMMENT_PROVIDER_TYPES = ["github", "gitlab"] as const;
export type CommentProviderType = (typeof COMMENT_PROVIDER_TYPES)[number];
export const supportsComments = (type: string): type is CommentProviderType => (COMMENT_PROVIDER_TYPES as readonly string[]).includes(type);

const PAGE_SIZE = 100;
/** A request with more comments than this is searched no further; a new comment is then created. */
const MAX_PAGES = 10;

const checkNumber = (target: CommentTarget): void => {
  if (!Number.isInteger(target.number) || target.number <= 0) {
    throw new InvalidTargetError("number", `${JSON.stringify(target.number)} is not a pull or merge request number`);
  }
  if (target.marker.trim() === "") throw new InvalidTargetError("marker", "cannot be empty");
};

type GitHubRepo = Extract<RepoRef, { kind: "github" }>;

class GitHubCommenter implements PullRequestCommenter {
  readonly kind = ProviderKind.GitHub;
  readonly #clients: GitHubClients;

  constructor(options: GitHubOptions) {
    this.#clients = new GitHubClients(parseGitHubOptions(options));
  }

  async writeComment(target: CommentTarget, body: string, knownId?: number): Promise<WrittenComment> {
    checkNumber(target);
    if (target.repo.kind !== "github") throw new InvalidTargetError("repo.kind", `a github commenter cannot write to a ${target.repo.kind} repository`);
    const repo = target.repo;
    const context: FailureContext = {
      provider: "github",
      repo: repoLabel(repo),
      action: `writing the comment on pull request #${target.number}`,
      permission: 'the GitHub App or token needs "Pull requests: read and write"',
    };
    try {
      const octokit = await this.#clients.forRepo(repo.owner, repo.name);
      if (knownId !== undefined && (await this.#update(octokit, repo, knownId, body))) {
        return { outcome: WriteOutcome.Updated, commentId: knownId };
      }
      const found = await this.#find(octokit, repo, target);
      if (found !== undefined && (await this.#update(octokit, repo, found, body))) {
        return { outcome: WriteOutcome.Updated, commentId: found };
      }
      const { data } = await octokit.rest.issues.createComment({
        owner: repo.owner,
        repo: repo.name,
        issue_number: target.number,
        body,
        request: this.#clients.requestOptions(),
      });
      return { outcome: WriteOutcome.Created, commentId: data.id };
    } catch (error) {
      throw error instanceof ScmError ? error : toScmError(gitHubFailureOf(error), context);
    }
  }

  /** False when the comment is gone (deleted by someone): the caller finds or creates another. */
  async #update(octokit: Octokit, repo: GitHubRepo, id: number, body: string): Promise<boolean> {
    try {
      await octokit.rest.issues.updateComment({ owner: repo.owner, repo: repo.name, comment_id: id, body, request: this.#clients.requestOptions() });
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async #find(octokit: Octokit, repo: GitHubRepo, target: CommentTarget): Promise<number | undefined> {
    // Pages are read by hand rather than with octokit.paginate: we stop at the first match.
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { data } = await octokit.rest.issues.listComments({
        owner: repo.owner,
        repo: repo.name,
        issue_number: target.number,
        per_page: PAGE_SIZE,
        page,
        request: this.#clients.requestOptions(),
      });
      const mine = data.find((comment) => comment.body?.includes(target.marker));
      if (mine) return mine.id;
      if (data.length < PAGE_SIZE) return undefined;
    }
    return undefined;
  }
}

interface GitLabNote {
  id: number;
  body?: string | null;
}

class GitLabCommenter implements PullRequestCommenter {
  readonly kind = ProviderKind.GitLab;
  readonly #notes: InstanceType<typeof MergeRequestNotes<false>>;

  constructor(options: GitLabOptions) {
    const parsed = parseProviderOptions("gitlab", GitLabOptionsSchema, options);
    this.#notes = new MergeRequestNotes({
      host: parsed.host ?? "https://gitlab.com",
      token: parsed.token,
      requesterFn: singleAttemptRequester(parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  }

  async writeComment(target: CommentTarget, body: string, knownId?: number): Promise<WrittenComment> {
    checkNumber(target);
    if (target.repo.kind !== "gitlab") throw new InvalidTargetError("repo.kind", `a gitlab commenter cannot write to a ${target.repo.kind} repository`);
    const { project } = target.repo;
    const context: FailureContext = {
      provider: "gitlab",
      repo: repoLabel(target.repo),
      action: `writing the note on merge request !${target.number}`,
      permission: "the token needs the api scope and at least the Reporter role on the project",
    };
    try {
      if (knownId !== undefined && (await this.#edit(project, target.number, knownId, body))) {
        return { outcome: WriteOutcome.Updated, commentId: knownId };
      }
      const found = await this.#find(project, target);
      if (found !== undefined && (await this.#edit(project, target.number, found, body))) {
        return { outcome: WriteOutcome.Updated, commentId: found };
      }
      const created = (await this.#notes.create(project, target.number, body)) as unknown as GitLabNote;
      return { outcome: WriteOutcome.Created, commentId: created.id };
    } catch (error) {
      throw error instanceof ScmError ? error : toScmError(gitLabFailureOf(error), context);
    }
  }

  async #edit(project: string | number, iid: number, id: number, body: string): Promise<boolean> {
    try {
      await this.#notes.edit(project, iid, id, { body });
      return true;
    } catch (error) {
      if (gitLabFailureOf(error).status === 404) return false;
      throw error;
    }
  }

  async #find(project: string | number, target: CommentTarget): Promise<number | undefined> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const notes = (await this.#notes.all(project, target.number, { perPage: PAGE_SIZE, page })) as unknown as GitLabNote[];
      const mine = notes.find((note) => note.body?.includes(target.marker));
      if (mine) return mine.id;
      if (notes.length < PAGE_SIZE) return undefined;
    }
    return undefined;
  }
}

export interface CommenterOptionsByType {
  github: GitHubOptions;
  gitlab: GitLabOptions;
}

/** The commenter for a provider type; other SCMs are `provider "x" not supported`. */
export function createPullRequestCommenter<T extends CommentProviderType>(type: T, options: CommenterOptionsByType[T]): PullRequestCommenter;
export function createPullRequestCommenter(type: string, options: unknown): PullRequestCommenter;
export function createPullRequestCommenter(type: string, options: unknown): PullRequestCommenter {
  if (type === "github") return new GitHubCommenter(options as GitHubOptions);
  if (type === "gitlab") return new GitLabCommenter(options as GitLabOptions);
  throw new UnsupportedProviderError(type, COMMENT_PROVIDER_TYPES);
}
