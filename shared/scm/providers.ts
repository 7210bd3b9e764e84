/**
 * The SCM layer with every provider's classes and state tables, for tests
 * and library users. The process path imports `./index` instead, where the
 * providers that need a client library (Octokit, gitbeaker) are reached only
 * through their descriptors' `connect`, which loads them on first use.
 */
export * from "./index";
export { GitHubOptionsSchema, type GitHubOptions } from "./github/clients";
export { GitHubDeployments, GitHubDeploymentState, phaseToGitHubDeployment, GITHUB_DEPLOYMENT_DESCRIPTION_LIMIT } from "./github/deployments";
export {
  GitHubProvider,
  CheckRunStatus,
  CheckRunConclusion,
  GitHubStatusState,
  checkRunState,
  phaseToCheckRun,
  checkRunToPhase,
  phaseToGitHubStatus,
  gitHubStatusToPhase,
  type CheckRunState,
  type GitHubRepo,
} from "./github/provider";
export { GitLabProvider, GitLabOptionsSchema, GitLabState, phaseToGitLabState, gitLabStateToPhase, type GitLabOptions, type GitLabRepo } from "./gitlab/provider";
