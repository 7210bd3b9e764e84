/**
 * The merge request note with the stage table (comments.ts), through the
 * notes API (https://docs.gitlab.com/api/notes/#merge-requests).
 */
import { MergeRequestNotes } from "@gitbeaker/rest";
import { toScmError, type FailureContext } from "../classify";
import { checkNumber, MAX_PAGES, PAGE_SIZE, type CommentTarget, type PullRequestCommenter, type WrittenComment } from "../comments";
import { InvalidTargetError, ScmError } from "../errors";
import { DEFAULT_TIMEOUT_MS, parseProviderOptions } from "../options";
import { repoLabel } from "../target";
import { ProviderKind, WriteOutcome } from "../types";
import { failureOf, GitLabOptionsSchema, type GitLabOptions, type GitLabRepo } from "./provider";
import { singleAttemptRequester } from "./requester";

interface GitLabNote {
  id: number;
  body?: string | null;
}

export class GitLabCommenter implements PullRequestCommenter {
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
    const { project } = target.repo as GitLabRepo;
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
      throw error instanceof ScmError ? error : toScmError(failureOf(error), context);
    }
  }

  async #edit(project: string | number, iid: number, id: number, body: string): Promise<boolean> {
    try {
      await this.#notes.edit(project, iid, id, { body });
      return true;
    } catch (error) {
      if (failureOf(error).status === 404) return false;
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
