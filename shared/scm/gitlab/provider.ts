/**
 * GitLab commit statuses through @gitbeaker/rest (`Commits.editStatus`,
 * https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit),
 * on gitlab.com or a self-hosted host.
 */
import { Commits, GitbeakerRequestError } from "@gitbeaker/rest";
import { z } from "zod";
import type { FailureContext, HttpFailure } from "../classify";
import { toScmError } from "../classify";

import { lookupPhase, lookupState } from "../mapping";
import { singleAttemptRequester } from "./requester";
import { DEFAULT_TIMEOUT_MS, httpUrl, parseProviderOptions, requiredText, timeoutMs } from "../options";
import { checkTarget, renderFields, repoLabel, shortSha, text } from "../target";
import {
  CommitStatusPhase,
  ProviderKind,
  WriteOutcome,
  type CommitStatusProvider,
  type DesiredStatus,
  type ObservedStatus,
  type RepoRef,
  type StatusFields,
  type StatusTarget,
  type WrittenStatus,
} from "../types";

/** A repository on this SCM; fields in label order. */
export interface GitLabRepo extends RepoRef {
  readonly kind: "gitlab";
  readonly project: string | number;
}
export const GITLAB_REPO_FIELDS = ["project"] as const;

export const GitLabState = {
  Pending: "pending",
  Running: "running",
  Success: "success",
  Failed: "failed",
  Canceled: "canceled",
} as const;
export type GitLabState = (typeof GitLabState)[keyof typeof GitLabState];

const TO_STATE = {
  queued: GitLabState.Pending,
  in_progress: GitLabState.Running,
  success: GitLabState.Success,
  failure: GitLabState.Failed,
  canceled: GitLabState.Canceled,
} as const satisfies Record<CommitStatusPhase, GitLabState>;

/** `created`, `skipped`, `manual` and friends are set by GitLab itself and have no phase. */
const TO_PHASE: Partial<Record<string, CommitStatusPhase>> = {
  pending: CommitStatusPhase.Queued,
  running: CommitStatusPhase.InProgress,
  success: CommitStatusPhase.Success,
  failed: CommitStatusPhase.Failure,
  canceled: CommitStatusPhase.Canceled,
};

export const phaseToGitLabState = (phase: CommitStatusPhase): GitLabState => lookupState(TO_STATE, phase);

export const gitLabStateToPhase = (state: string): CommitStatusPhase => lookupPhase(TO_PHASE, state, "GitLab commit status state");

/** GitLab stores at most this many characters of a status description. */
export const GITLAB_DESCRIPTION_LIMIT = 255;

/**
 * GitLab answers 400 "Cannot transition status via :run from :running" when
 * a status is posted in the state it already has: its state machine has no
 * self-transitions (Ci::CreateCommitStatusService). That is success for us;
 * any other refused transition (`pending` after `running`) is not.
 */
const TRANSITION = /Cannot transition status via :(\w+) from :(\w+)/;

export const isSameStateTransition = (message: string, desired: GitLabState): boolean =>
  TRANSITION.exec(message)?.[2] === desired;

export const GitLabOptionsSchema = z.strictObject({
  /** `https://gitlab.example.com` for self-hosted GitLab; defaults to `https://gitlab.com`. */
  host: httpUrl("gitlab host").optional(),
  token: requiredText("gitlab token"),
  timeoutMs: timeoutMs("gitlab timeoutMs").optional(),
});
export type GitLabOptions = z.input<typeof GitLabOptionsSchema>;

interface GitLabStatus {
  id: number;
  status: string;
  name: string;
  description?: string | null;
  target_url?: string | null;
}

/** What gitbeaker's request error knows, in the classifier's terms. */
export const failureOf = (error: unknown): HttpFailure => {
  if (error instanceof GitbeakerRequestError) {
    const cause = error.cause as { description?: string; response?: Response } | undefined;
    const response = cause?.response;
    return {
      status: response?.status,
      headers: response ? Object.fromEntries(response.headers.entries()) : undefined,
      message: cause?.description || error.message,
      cause: error,
    };
  }
  return { message: error instanceof Error ? error.message : String(error), cause: error };
};

export class GitLabProvider implements CommitStatusProvider {
  readonly kind = ProviderKind.GitLab;
  readonly #commits: InstanceType<typeof Commits<false>>;

  constructor(options: GitLabOptions) {
    const parsed = parseProviderOptions("gitlab", GitLabOptionsSchema, options);
    this.#commits = new Commits({
      host: parsed.host ?? "https://gitlab.com",
      token: parsed.token,
      requesterFn: singleAttemptRequester(parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  }

  stateOf(phase: CommitStatusPhase): string {
    return phaseToGitLabState(phase);
  }

  readonly descriptionLimit = GITLAB_DESCRIPTION_LIMIT;

  render(status: StatusFields) {
    return renderFields(status, { description: GITLAB_DESCRIPTION_LIMIT, details: false });
  }

  async setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    checkTarget<GitLabRepo>(target, "gitlab", GITLAB_REPO_FIELDS);
    const state = phaseToGitLabState(desired.phase);
    const fields = this.render(desired);
    try {
      const written = (await this.#commits.editStatus(target.repo.project, target.sha, state, {
        name: target.name,
        description: fields.description,
        ...(fields.url ? { targetUrl: fields.url } : {}),
        ...(target.ref ? { ref: target.ref } : {}),
      })) as unknown as GitLabStatus;
      const outcome = desired.providerIds?.statusId === written.id ? WriteOutcome.Updated : WriteOutcome.Created;
      return { outcome, state, providerIds: { statusId: written.id } };
    } catch (error) {
      const failure = failureOf(error);
      if (failure.status === 400 && isSameStateTransition(failure.message, state)) {
        return { outcome: WriteOutcome.Unchanged, state, providerIds: desired.providerIds ?? {} };
      }
      throw toScmError(failure, this.#context(target, `writing status "${target.name}" on ${shortSha(target.sha)}`));
    }
  }

  async getStatus(target: StatusTarget): Promise<ObservedStatus | undefined> {
    checkTarget<GitLabRepo>(target, "gitlab", GITLAB_REPO_FIELDS);
    let statuses: GitLabStatus[];
    try {
      // Without `all`, GitLab lists only the latest status per name.
      statuses = (await this.#commits.allStatuses(target.repo.project, target.sha, {
        name: target.name,
        ...(target.ref ? { ref: target.ref } : {}),
      })) as unknown as GitLabStatus[];
    } catch (error) {
      throw toScmError(failureOf(error), this.#context(target, `reading statuses of ${shortSha(target.sha)}`));
    }
    const latest = statuses.filter((status) => status.name === target.name).sort((a, b) => b.id - a.id)[0];
    if (!latest) return undefined;
    const phase = TO_PHASE[latest.status];
    return {
      ...(phase ? { phase } : {}),
      state: latest.status,
      description: text(latest.description),
      url: text(latest.target_url),
      providerIds: { statusId: latest.id },
    };
  }

  #context(target: StatusTarget, action: string): FailureContext {
    return {
      provider: "gitlab",
      repo: repoLabel(target.repo),
      action,
      permission: "the token needs the api scope and at least the Developer role on the project",
    };
  }
}
