/**
 * GitHub Deployments (https://docs.github.com/rest/deployments/deployments,
 * https://docs.github.com/rest/deployments/statuses) on the provider's own
 * clients: one installation token (or the token) serves statuses, comments
 * and deployments, under one rate limit.
 *
 * A deployment is created once per run for the run's commit, with
 * `auto_merge: false` (GitHub would otherwise merge the default branch into
 * the ref first) and `required_contexts: []` (it would otherwise refuse
 * while any of the commit's statuses is not success, and the run's own
 * status is pending while it deploys); `transient_environment` and
 * `production_environment` keep GitHub's defaults.
 */
import { toScmError, type FailureContext } from "../classify";
import type { DeploymentPhase, DeploymentStatus, DeploymentTarget, DeploymentWriter } from "../deployments";
import { InvalidTargetError, PermanentScmError, ScmError, UnmappedStateError } from "../errors";
import { checkTarget, repoLabel, shortSha, truncate } from "../target";
import { ProviderKind, type RepoRef } from "../types";
import { failureOf, type GitHubClients } from "./clients";
import { GITHUB_REPO_FIELDS, type GitHubRepo } from "./provider";

/** GitHub refuses a deployment status description longer than this (422). */
export const GITHUB_DEPLOYMENT_DESCRIPTION_LIMIT = 140;

const PERMISSION = 'the GitHub App or token needs "Deployments: read and write" (classic tokens: the repo_deployment scope)';

/** GitHub's deployment status states (https://docs.github.com/rest/deployments/statuses#create-a-deployment-status). */
export const GitHubDeploymentState = {
  Queued: "queued",
  InProgress: "in_progress",
  Success: "success",
  Failure: "failure",
  Error: "error",
  Inactive: "inactive",
  Pending: "pending",
} as const;
export type GitHubDeploymentState = (typeof GitHubDeploymentState)[keyof typeof GitHubDeploymentState];

/**
 * A cancelled run is `error`: the deployment did not complete. Not
 * `failure`, which says the deployed change failed, and not `inactive`,
 * which GitHub reserves for a deployment superseded by a newer one (it sets
 * it itself on the older ones, `auto_inactive`) or a transient environment
 * torn down: a cancelled deployment shown so would read as replaced. The
 * same choice as the commit status's `canceled → error` (README, phase table).
 */
const TO_GITHUB = {
  queued: GitHubDeploymentState.Queued,
  in_progress: GitHubDeploymentState.InProgress,
  success: GitHubDeploymentState.Success,
  failure: GitHubDeploymentState.Failure,
  error: GitHubDeploymentState.Error,
  canceled: GitHubDeploymentState.Error,
} as const satisfies Record<DeploymentPhase, GitHubDeploymentState>;

/** Own keys only; an unmapped phase is an error, never a default. */
export const phaseToGitHubDeployment = (phase: DeploymentPhase): GitHubDeploymentState => {
  if (!Object.hasOwn(TO_GITHUB, phase)) throw new UnmappedStateError("deployment phase", phase);
  return TO_GITHUB[phase];
};

export class GitHubDeployments implements DeploymentWriter {
  readonly kind = ProviderKind.GitHub;
  readonly descriptionLimit = GITHUB_DEPLOYMENT_DESCRIPTION_LIMIT;
  readonly #clients: GitHubClients;

  constructor(clients: GitHubClients) {
    this.#clients = clients;
  }

  async createDeployment(target: DeploymentTarget): Promise<number> {
    checkTarget<GitHubRepo>({ repo: target.repo, sha: target.sha, name: "deployment" }, "github", GITHUB_REPO_FIELDS);
    if (target.environment.trim() === "") throw new InvalidTargetError("environment", "cannot be empty");
    const { owner, name: repo } = target.repo as GitHubRepo;
    const context = this.#context(target.repo, `creating a deployment of ${shortSha(target.sha)} to "${target.environment}"`);
    let data: { id?: number; message?: string };
    try {
      const octokit = await this.#clients.forRepo(owner, repo);
      ({ data } = await octokit.rest.repos.createDeployment({
        owner,
        repo,
        ref: target.sha,
        environment: target.environment,
        auto_merge: false,
        required_contexts: [],
        payload: { ...target.payload },
        ...(target.description ? { description: target.description } : {}),
        request: this.#clients.requestOptions(),
      }));
    } catch (error) {
      throw this.#error(error, target.repo, context);
    }
    // 202 answers a merge GitHub made instead of a deployment; auto_merge: false rules it out.
    if (typeof data.id !== "number") throw new PermanentScmError(`github: ${context.action} on ${context.repo}: no deployment was created: ${data.message ?? "no id"}`);
    return data.id;
  }

  async setDeploymentStatus(repoRef: RepoRef, id: number, status: DeploymentStatus): Promise<number> {
    const { owner, name: repo } = repoRef as GitHubRepo;
    const state = phaseToGitHubDeployment(status.phase);
    const context = this.#context(repoRef, `setting deployment ${id} to ${state}`);
    try {
      const octokit = await this.#clients.forRepo(owner, repo);
      const { data } = await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: id,
        state,
        ...(status.logUrl ? { log_url: status.logUrl } : {}),
        ...(status.environmentUrl ? { environment_url: status.environmentUrl } : {}),
        ...(status.description ? { description: truncate(status.description, GITHUB_DEPLOYMENT_DESCRIPTION_LIMIT) } : {}),
        request: this.#clients.requestOptions(),
      });
      return data.id;
    } catch (error) {
      throw this.#error(error, repoRef, context);
    }
  }

  #error(error: unknown, repo: RepoRef, context: FailureContext): ScmError {
    const scmError = error instanceof ScmError ? error : toScmError(failureOf(error), context);
    if (scmError.status === 401 || scmError.status === 404) this.#clients.forget(String(repo.owner), String(repo.name));
    return scmError;
  }

  #context(repo: RepoRef, action: string): FailureContext {
    return { provider: "github", repo: repoLabel(repo), action, permission: PERMISSION };
  }
}
