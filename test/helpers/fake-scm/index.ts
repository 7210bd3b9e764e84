/**
 * Fake SCM servers for tests that drive the real clients (@octokit/rest,
 * @gitbeaker/rest, fetch) over HTTP: GitHub (validated against its OpenAPI
 * description, with deployments), GitLab, Bitbucket Cloud, Bitbucket Server, Gitea and Azure DevOps. Each
 * records requests and can be told to fail the next ones.
 */
import { FakeAzureDevOpsServer, type FakeAzureDevOpsOptions } from "./azure-devops";
import { FakeBitbucketCloudServer, type FakeBitbucketCloudOptions } from "./bitbucket-cloud";
import { FakeBitbucketServer, type FakeBitbucketServerOptions } from "./bitbucket-server";
import { FakeGiteaServer, type FakeGiteaOptions } from "./gitea";
import { FakeGitHubServer, type FakeGitHubOptions } from "./github";
import { FakeGitLabServer, type FakeGitLabOptions } from "./gitlab";

export { FakeScmServer, ScmHttpError, matchTemplate, type FailureInjection, type RecordedScmRequest, type ScmReply } from "./base";
export { FakeGitHubServer, type FakeGitHubOptions, type FakeGitHubApp, type FakeGitHubInstallation, type FakeCheckRun, type FakeCommitStatus } from "./github";
export { FakeGitHubComments, type FakeIssueComment } from "./github-comments";
export { FakeGitHubDeployments, type FakeDeployment, type FakeDeploymentStatus } from "./github-deployments";
export { FakeGitHubStatuses } from "./github-statuses";
export { FakeGitLabServer, type FakeGitLabOptions, type FakeGitLabProject, type FakeGitLabStatus } from "./gitlab";
export { FakeGitLabNotes, type FakeGitLabNote } from "./gitlab-notes";
export { FakeBitbucketCloudServer, type FakeBitbucketCloudOptions, type FakeBuildStatus } from "./bitbucket-cloud";
export { FakeBitbucketServer, type FakeBitbucketServerOptions, type FakeServerBuildStatus } from "./bitbucket-server";
export { FakeGiteaServer, type FakeGiteaOptions, type FakeGiteaStatus } from "./gitea";
export { FakeAzureDevOpsServer, type FakeAzureDevOpsOptions, type FakeAzureDevOpsRepo, type FakeGitStatus } from "./azure-devops";
export { appKeyPair } from "./github-auth";
export { OpenApiValidator } from "./openapi";

/** Each starts on a free loopback port; pair with `stop()` in `afterEach`/`afterAll`. */
export const startFakeGitHub = (options: FakeGitHubOptions) => new FakeGitHubServer(options).start();
export const startFakeGitLab = (options: FakeGitLabOptions) => new FakeGitLabServer(options).start();
export const startFakeBitbucketCloud = (options: FakeBitbucketCloudOptions) => new FakeBitbucketCloudServer(options).start();
export const startFakeBitbucketServer = (options: FakeBitbucketServerOptions) => new FakeBitbucketServer(options).start();
export const startFakeGitea = (options: FakeGiteaOptions) => new FakeGiteaServer(options).start();
export const startFakeAzureDevOps = (options: FakeAzureDevOpsOptions) => new FakeAzureDevOpsServer(options).start();
