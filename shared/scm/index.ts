/**
 * The SCM provider layer: one folder per SCM with a descriptor (descriptor.ts)
 * behind a registry, two-way phase mappings, error classes that say whether to
 * retry, and `sameStatus` so that callers never post a status twice.
 */
export * from "./types";
export * from "./errors";
export { defineScm, type GitRepoCoordinates, type ScmConnection, type ScmDescriptor, type ScmReceiverOptions, type SecretReader } from "./descriptor";
export { createCommitStatusProvider, registerScm, registeredScms, requireScm, scmFor, scmNames } from "./registry";
export type { CommentTarget, PullRequestCommenter, WrittenComment } from "./comments";
export { DeploymentPhase, deploymentRank, type DeploymentStatus, type DeploymentTarget, type DeploymentWriter } from "./deployments";
export { sameStatus, shownDigest, statusDiff, StatusField } from "./compare";
export { rateLimitDelay, toScmError, type FailureContext, type HttpFailure } from "./classify";
export { checkTarget, renderFields, repoLabel, stableKey, truncate } from "./target";
export * from "./github";
export * from "./gitlab";
export * from "./bitbucket-cloud";
export * from "./bitbucket-server";
export * from "./gitea";
export * from "./azure-devops";
export { FakeCommitStatusProvider, type FakeWrite } from "./fake";
