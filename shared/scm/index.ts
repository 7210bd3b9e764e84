/**
 * The SCM provider layer: one `CommitStatusProvider` per SCM behind a
 * factory map, two-way phase mappings, error classes that say whether to
 * retry, and `sameStatus` so that callers never post a status twice.
 */
import { BitbucketCloudProvider, type BitbucketCloudOptions } from "./bitbucket-cloud";
import { BitbucketServerProvider, type BitbucketServerOptions } from "./bitbucket-server";
import { UnsupportedProviderError } from "./errors";
import { GiteaProvider, type GiteaOptions } from "./gitea";
import { GitHubProvider } from "./github";
import type { GitHubOptions } from "./github-auth";
import { GitLabProvider, type GitLabOptions } from "./gitlab";
import type { CommitStatusProvider } from "./types";

export interface ProviderOptionsByType {
  github: GitHubOptions;
  gitlab: GitLabOptions;
  "bitbucket-cloud": BitbucketCloudOptions;
  "bitbucket-server": BitbucketServerOptions;
  /** Tekton Pipelines-as-Code's name for Bitbucket Server. */
  "bitbucket-datacenter": BitbucketServerOptions;
  gitea: GiteaOptions;
  forgejo: GiteaOptions;
}
export type ProviderType = keyof ProviderOptionsByType;

/** Provider type → constructor. Aliases use the names Pipelines-as-Code gives the same SCMs. */
export const providerFactories: { readonly [T in ProviderType]: (options: ProviderOptionsByType[T]) => CommitStatusProvider } = {
  github: (options) => new GitHubProvider(options),
  gitlab: (options) => new GitLabProvider(options),
  "bitbucket-cloud": (options) => new BitbucketCloudProvider(options),
  "bitbucket-server": (options) => new BitbucketServerProvider(options),
  "bitbucket-datacenter": (options) => new BitbucketServerProvider(options),
  gitea: (options) => new GiteaProvider(options),
  forgejo: (options) => new GiteaProvider(options),
};

export const isProviderType = (type: string): type is ProviderType => Object.hasOwn(providerFactories, type);

/**
 * Builds the provider for a type; an unknown type is an error
 * (`provider "x" not supported`), never a silent default, and bad options
 * fail here with the option named.
 */
export function createCommitStatusProvider<T extends ProviderType>(type: T, options: ProviderOptionsByType[T]): CommitStatusProvider;
export function createCommitStatusProvider(type: string, options: unknown): CommitStatusProvider;
export function createCommitStatusProvider(type: string, options: unknown): CommitStatusProvider {
  if (!isProviderType(type)) throw new UnsupportedProviderError(type, Object.keys(providerFactories));
  return (providerFactories[type] as (options: unknown) => CommitStatusProvider)(options);
}

export * from "./types";
export * from "./errors";
export { sameStatus, statusDiff, StatusField } from "./compare";
export { rateLimitDelay, toScmError, type FailureContext, type HttpFailure } from "./classify";
export { repoLabel, stableKey, truncate } from "./target";
export { GitHubOptionsSchema, type GitHubOptions } from "./github-auth";
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
} from "./github";
export { GitLabProvider, GitLabOptionsSchema, GitLabState, phaseToGitLabState, gitLabStateToPhase, type GitLabOptions } from "./gitlab";
export {
  BitbucketCloudProvider,
  BitbucketCloudOptionsSchema,
  BitbucketCloudState,
  BITBUCKET_CLOUD_KEY_LIMIT,
  bitbucketCloudKey,
  phaseToBitbucketCloudState,
  bitbucketCloudStateToPhase,
  type BitbucketCloudOptions,
} from "./bitbucket-cloud";
export {
  BitbucketServerProvider,
  BitbucketServerOptionsSchema,
  BitbucketServerState,
  bitbucketServerKey,
  phaseToBitbucketServerState,
  bitbucketServerStateToPhase,
  type BitbucketServerOptions,
} from "./bitbucket-server";
export { GiteaProvider, GiteaOptionsSchema, GiteaState, phaseToGiteaState, giteaStateToPhase, type GiteaOptions } from "./gitea";
export { FakeCommitStatusProvider, type FakeWrite } from "./fake";
