/**
 * The pull request comment with the stage table (comments.ts), through the
 * issue comments API (https://docs.github.com/rest/issues/comments): a pull
 * request is an issue to it.
 */
import type { Octokit } from "@octokit/rest";
import { toScmError, type FailureContext } from "../classify";
import { checkNumber, MAX_PAGES, PAGE_SIZE, type CommentTarget, type PullRequestCommenter, type WrittenComment } from "../comments";
import { InvalidTargetError, ScmError } from "../errors";
import { repoLabel } from "../target";
import { ProviderKind, WriteOutcome } from "../types";
import { failureOf, statusOf, type GitHubClients } from "./clients";
import type { GitHubRepo } from "./provider";

export class GitHubCommenter implements PullRequestCommenter {
  readonly kind = ProviderKind.GitHub;
  readonly #clients: GitHubClients;

  /** The provider's clients: one installation token serves statuses and comments. */
  constructor(clients: GitHubClients) {
    this.#clients = clients;
  }

  async writeComment(target: CommentTarget, body: string, knownId?: number): Promise<WrittenComment> {
    checkNumber(target);
    if (target.repo.kind !== "github") throw new InvalidTargetError("repo.kind", `a github commenter cannot write to a ${target.repo.kind} repository`);
    const repo = target.repo as GitHubRepo;
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
      throw error instanceof ScmError ? error : toScmError(failureOf(error), context);
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
