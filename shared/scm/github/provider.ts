/**
 * GitHub through @octokit/rest, in one of two modes chosen by credentials:
 * - GitHub App: check runs (https://docs.github.com/rest/checks/runs). The
 *   first write creates one; later writes update it in place by the id the
 *   caller remembers, so a run shows as one check that moves from queued to
 *   completed. Only Apps may write check runs.
 * - token: commit statuses (https://docs.github.com/rest/commits/statuses),
 *   one per write under the context `name`. GitHub keeps at most 1000 per
 *   context and commit, one more reason callers skip identical writes.
 */
import { toScmError, type FailureContext } from "../classify";
import { ScmError } from "../errors";
import { lookupPhase, lookupState } from "../mapping";
import { failureOf, GitHubClients, parseGitHubOptions, statusOf, type GitHubOptions } from "./clients";
import { checkTarget, renderFields, repoLabel, shortSha, text } from "../target";
import {
  CommitStatusPhase,
  ProviderKind,
  WriteOutcome,
  type CommitStatusProvider,
  type DesiredStatus,
  type ObservedStatus,
  type ProviderIds,
  type RepoRef,
  type StatusFields,
  type StatusTarget,
  type WrittenStatus,
} from "../types";

/** A repository on this SCM; fields in label order. */
export interface GitHubRepo extends RepoRef {
  readonly kind: "github";
  readonly owner: string;
  readonly name: string;
}
export const GITHUB_REPO_FIELDS = ["owner", "name"] as const;

export const CheckRunStatus = { Queued: "queued", InProgress: "in_progress", Completed: "completed" } as const;
export type CheckRunStatus = (typeof CheckRunStatus)[keyof typeof CheckRunStatus];
export const CheckRunConclusion = { Success: "success", Failure: "failure", Cancelled: "cancelled" } as const;
export type CheckRunConclusion = (typeof CheckRunConclusion)[keyof typeof CheckRunConclusion];
export interface CheckRunState {
  readonly status: CheckRunStatus;
  readonly conclusion?: CheckRunConclusion;
}

const TO_CHECK_RUN = {
  queued: { status: CheckRunStatus.Queued },
  in_progress: { status: CheckRunStatus.InProgress },
  success: { status: CheckRunStatus.Completed, conclusion: CheckRunConclusion.Success },
  failure: { status: CheckRunStatus.Completed, conclusion: CheckRunConclusion.Failure },
  canceled: { status: CheckRunStatus.Completed, conclusion: CheckRunConclusion.Cancelled },
} as const satisfies Record<CommitStatusPhase, CheckRunState>;

/** Keyed by `status` or `completed/conclusion`; neutral, skipped, timed_out, … are set by others and have no phase. */
const FROM_CHECK_RUN: Partial<Record<string, CommitStatusPhase>> = {
  queued: CommitStatusPhase.Queued,
  in_progress: CommitStatusPhase.InProgress,
  "completed/success": CommitStatusPhase.Success,
  "completed/failure": CommitStatusPhase.Failure,
  "completed/cancelled": CommitStatusPhase.Canceled,
};

/** One string for a check run's state: `in_progress`, `completed/success`. */
export const checkRunState = (status: string, conclusion?: string | null): string =>
  status === CheckRunStatus.Completed ? `${status}/${conclusion ?? ""}` : status;

export const phaseToCheckRun = (phase: CommitStatusPhase): CheckRunState => lookupState<CheckRunState>(TO_CHECK_RUN, phase);

export const checkRunToPhase = (status: string, conclusion?: string | null): CommitStatusPhase => {
  const state = checkRunState(status, conclusion);
  return lookupPhase(FROM_CHECK_RUN, state, "GitHub check run state");
};

export const GitHubStatusState = { Pending: "pending", Success: "success", Failure: "failure", Error: "error" } as const;
export type GitHubStatusState = (typeof GitHubStatusState)[keyof typeof GitHubStatusState];

const TO_STATUS = {
  queued: GitHubStatusState.Pending,
  in_progress: GitHubStatusState.Pending,
  success: GitHubStatusState.Success,
  failure: GitHubStatusState.Failure,
  canceled: GitHubStatusState.Error,
} as const satisfies Record<CommitStatusPhase, GitHubStatusState>;

/** `pending` stands for both queued and in_progress; reading it back gives the earlier one. */
const FROM_STATUS: Partial<Record<string, CommitStatusPhase>> = {
  pending: CommitStatusPhase.Queued,
  success: CommitStatusPhase.Success,
  failure: CommitStatusPhase.Failure,
  error: CommitStatusPhase.Canceled,
};

export const phaseToGitHubStatus = (phase: CommitStatusPhase): GitHubStatusState => lookupState(TO_STATUS, phase);

export const gitHubStatusToPhase = (state: string): CommitStatusPhase => lookupPhase(FROM_STATUS, state, "GitHub commit status state");

/** GitHub refuses commit status descriptions longer than this (422). */
export const GITHUB_STATUS_DESCRIPTION_LIMIT = 140;
/** Check run `output.summary` and `output.text` limit. */
export const GITHUB_OUTPUT_LIMIT = 65_535;

const CHECKS_PERMISSION = 'the GitHub App needs "Checks: read and write" and must be installed on the repository';
const STATUSES_PERMISSION = 'the token needs "Commit statuses: read and write" (fine-grained) or the repo:status scope (classic)';

type GitHubTarget = StatusTarget & { repo: GitHubRepo };

interface CheckRun {
  id: number;
  name: string;
  status: string;
  conclusion?: string | null;
  details_url?: string | null;
  external_id?: string | null;
  output?: { summary?: string | null; text?: string | null };
}

export class GitHubProvider implements CommitStatusProvider {
  readonly kind = ProviderKind.GitHub;
  readonly #clients: GitHubClients;

  /** `clients` shares one set of Octokit clients (and installation tokens) with the commenter. */
  constructor(options: GitHubOptions, clients: GitHubClients = new GitHubClients(parseGitHubOptions(options))) {
    this.#clients = clients;
  }

  /** True when statuses are check runs (App credentials), false for commit statuses (token). */
  get usesChecks(): boolean {
    return this.#clients.usesApp;
  }

  stateOf(phase: CommitStatusPhase): string {
    if (!this.usesChecks) return phaseToGitHubStatus(phase);
    const { status, conclusion } = phaseToCheckRun(phase);
    return checkRunState(status, conclusion);
  }

  /** A check run's summary takes what its output takes; a commit status description far less. */
  get descriptionLimit(): number {
    return this.usesChecks ? GITHUB_OUTPUT_LIMIT : GITHUB_STATUS_DESCRIPTION_LIMIT;
  }

  render(status: StatusFields) {
    return this.usesChecks
      ? renderFields(status, { description: GITHUB_OUTPUT_LIMIT, details: GITHUB_OUTPUT_LIMIT })
      : renderFields(status, { description: GITHUB_STATUS_DESCRIPTION_LIMIT, details: false });
  }

  async setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    checkTarget<GitHubRepo>(target, "github", GITHUB_REPO_FIELDS);
    return this.usesChecks ? this.#writeCheckRun(target, desired) : this.#writeStatus(target, desired);
  }

  async getStatus(target: StatusTarget, known?: ProviderIds): Promise<ObservedStatus | undefined> {
    checkTarget<GitHubRepo>(target, "github", GITHUB_REPO_FIELDS);
    return this.usesChecks ? this.#readCheckRun(target, known) : this.#readStatus(target);
  }

  async #writeCheckRun(target: GitHubTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    const { owner, name: repo } = target.repo;
    const context = this.#context(target, `writing check run "${target.name}" on ${shortSha(target.sha)}`, CHECKS_PERMISSION);
    const state = phaseToCheckRun(desired.phase);
    const fields = this.render(desired);
    const body = {
      name: target.name,
      status: state.status,
      ...(state.conclusion ? { conclusion: state.conclusion } : {}),
      ...(fields.url ? { details_url: fields.url } : {}),
      // The integrator's own reference (https://docs.github.com/rest/checks/runs#create-a-check-run):
      // the run's uid, which tells two runs apart when their check runs share a name.
      ...(desired.externalId ? { external_id: desired.externalId } : {}),
      ...(fields.description || fields.details
        ? { output: { title: target.name, summary: fields.description, ...(fields.details ? { text: fields.details } : {}) } }
        : {}),
    };
    const written = { state: checkRunState(state.status, state.conclusion) };
    try {
      const octokit = await this.#clients.forRepo(owner, repo);
      const checkRunId = desired.providerIds?.checkRunId;
      if (checkRunId !== undefined) {
        try {
          await octokit.rest.checks.update({ owner, repo, check_run_id: checkRunId, ...body, request: this.#clients.requestOptions() });
          return { ...written, outcome: WriteOutcome.Updated, providerIds: { checkRunId } };
        } catch (error) {
          // The remembered check run is gone (deleted with its repository or suite, or the id
          // came from another repository): create a new one rather than fail forever.
          if (statusOf(error) !== 404) throw error;
        }
      }
      const { data } = await octokit.rest.checks.create({ owner, repo, head_sha: target.sha, ...body, request: this.#clients.requestOptions() });
      return { ...written, outcome: WriteOutcome.Created, providerIds: { checkRunId: data.id } };
    } catch (error) {
      throw this.#error(error, target, context);
    }
  }

  async #writeStatus(target: GitHubTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    const { owner, name: repo } = target.repo;
    const context = this.#context(target, `writing status "${target.name}" on ${shortSha(target.sha)}`, STATUSES_PERMISSION);
    const state = phaseToGitHubStatus(desired.phase);
    const fields = this.render(desired);
    try {
      const octokit = await this.#clients.forRepo(owner, repo);
      const { data } = await octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: target.sha,
        state,
        context: target.name,
        description: fields.description,
        ...(fields.url ? { target_url: fields.url } : {}),
        request: this.#clients.requestOptions(),
      });
      return { outcome: WriteOutcome.Created, state, providerIds: { statusId: data.id } };
    } catch (error) {
      throw this.#error(error, target, context);
    }
  }

  async #readCheckRun(target: GitHubTarget, known?: ProviderIds): Promise<ObservedStatus | undefined> {
    const { owner, name: repo } = target.repo;
    const context = this.#context(target, `reading check run "${target.name}" of ${shortSha(target.sha)}`, CHECKS_PERMISSION);
    try {
      const octokit = await this.#clients.forRepo(owner, repo);
      if (known?.checkRunId !== undefined) {
        try {
          const { data } = await octokit.rest.checks.get({ owner, repo, check_run_id: known.checkRunId, request: this.#clients.requestOptions() });
          return observedCheckRun(data);
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
        }
      }
      const appId = this.#clients.appId;
      const { data } = await octokit.rest.checks.listForRef({
        owner,
        repo,
        ref: target.sha,
        check_name: target.name,
        filter: "latest",
        per_page: 100,
        ...(appId !== undefined ? { app_id: appId } : {}),
        request: this.#clients.requestOptions(),
      });
      const latest = data.check_runs.filter((run) => run.name === target.name).sort((a, b) => b.id - a.id)[0];
      return latest ? observedCheckRun(latest) : undefined;
    } catch (error) {
      throw this.#error(error, target, context);
    }
  }

  async #readStatus(target: GitHubTarget): Promise<ObservedStatus | undefined> {
    const { owner, name: repo } = target.repo;
    const context = this.#context(target, `reading statuses of ${shortSha(target.sha)}`, STATUSES_PERMISSION);
    try {
      const octokit = await this.#clients.forRepo(owner, repo);
      // The combined status holds the latest status per context; 100 contexts a page.
      for (let page = 1; ; page++) {
        const { data } = await octokit.rest.repos.getCombinedStatusForRef({
          owner,
          repo,
          ref: target.sha,
          per_page: 100,
          page,
          request: this.#clients.requestOptions(),
        });
        const mine = data.statuses.find((status) => status.context === target.name);
        if (mine) {
          const phase = FROM_STATUS[mine.state];
          const observed = { state: mine.state, description: text(mine.description), url: text(mine.target_url) };
          return { ...(phase ? { phase } : {}), ...observed, providerIds: { statusId: mine.id } };
        }
        if (page * 100 >= data.total_count) return undefined;
      }
    } catch (error) {
      throw this.#error(error, target, context);
    }
  }

  #error(error: unknown, target: GitHubTarget, context: FailureContext) {
    const scmError = error instanceof ScmError ? error : toScmError(failureOf(error), context);
    if (scmError.status === 401 || scmError.status === 404) this.#clients.forget(target.repo.owner, target.repo.name);
    return scmError;
  }

  #context(target: StatusTarget, action: string, permission: string): FailureContext {
    return { provider: "github", repo: repoLabel(target.repo), action, permission };
  }
}

const observedCheckRun = (run: CheckRun): ObservedStatus => {
  const state = checkRunState(run.status, run.conclusion);
  const phase = FROM_CHECK_RUN[state];
  const shown = { description: text(run.output?.summary), url: text(run.details_url), details: text(run.output?.text) };
  return { ...(phase ? { phase } : {}), state, ...shown, providerIds: { checkRunId: run.id }, ...(run.external_id ? { externalId: run.external_id } : {}) };
};

