import { describe, expect, it } from "vitest";
import { gitContext } from "../../../shared/pipeline/git";
import type { GitContext } from "../../../shared/pipeline/types";
import { KESKAD, metadataOf, OTHER_SHA, OURS, PAC, SHA, SHOP_API, type MetadataCase } from "../../helpers/git-metadata";

describe("Function: gitContext", () => {
  it.each<MetadataCase<GitContext | undefined>>([
    {
      name: "a Pipelines-as-Code push run",
      ...metadataOf("tekton/pipelinerun-succeeded.yaml"),
      expected: {
        repoUrl: "https://github.com/acme/shop-api",
        provider: "github",
        host: "github.com",
        owner: "acme",
        repo: "shop-api",
        sha: SHA,
        ref: "refs/heads/main",
      },
    },
    {
      name: "a Pipelines-as-Code pull request in a GitLab subgroup",
      ...metadataOf("tekton/pipelinerun-failed.yaml"),
      expected: {
        repoUrl: "https://gitlab.com/acme/platform/payments",
        provider: "gitlab",
        host: "gitlab.com",
        owner: "acme/platform",
        repo: "payments",
        sha: "9fceb02d0ae598e95dc970b74767f19372d61af8",
        ref: "feature/refund-webhook",
        pr: "482",
      },
    },
    {
      name: "our annotations with an scp-like ssh URL",
      ...metadataOf("tekton/pipelinerun-cancelled.yaml"),
      expected: {
        repoUrl: "git@github.com:acme/release-tools.git",
        provider: "github",
        host: "github.com",
        owner: "acme",
        repo: "release-tools",
        sha: "1b6453892473a467d07372d45eb05abc2031647a",
        ref: "refs/tags/v2.4.0",
      },
    },
    {
      name: "pipelines-feedback-core annotations on Bitbucket Cloud",
      ...metadataOf("tekton/pipelinerun-timeout.yaml"),
      expected: {
        repoUrl: "https://bitbucket.org/acme/storefront.git",
        provider: "bitbucket-cloud",
        host: "bitbucket.org",
        owner: "acme",
        repo: "storefront",
        sha: "c3499c2729730a7f807efb8676a92dcb6f8a3f8f",
        ref: "develop",
      },
    },
    {
      name: "our annotations on a self-hosted GitLab, with a pull request",
      ...metadataOf("argo/workflow-succeeded.json"),
      expected: {
        repoUrl: "git@gitlab.example.com:acme/mobile/ios-app.git",
        provider: "gitlab",
        host: "gitlab.example.com",
        owner: "acme/mobile",
        repo: "ios-app",
        sha: "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
        ref: "refs/heads/release/3.2",
        pr: "117",
      },
    },
    {
      name: "our sha overriding the one Pipelines-as-Code set",
      annotations: {
        [`${PAC}repo-url`]: "https://github.com/acme/shop-api",
        [`${PAC}sha`]: SHA,
        [`${OURS}sha`]: OTHER_SHA,
      },
      labels: {},
      expected: { ...SHOP_API, sha: OTHER_SHA },
    },
    {
      name: "Pipelines-as-Code labels only (no repo-url)",
      annotations: {},
      labels: {
        [`${PAC}sha`]: SHA,
        [`${PAC}url-org`]: "acme",
        [`${PAC}url-repository`]: "shop-api",
        [`${PAC}git-provider`]: "gitea",
      },
      expected: { provider: "gitea", owner: "acme", repo: "shop-api", sha: SHA },
    },
    {
      name: "an annotation and a label for the same key",
      annotations: { [`${PAC}sha`]: SHA },
      labels: { [`${PAC}sha`]: OTHER_SHA },
      expected: { sha: SHA },
    },
    {
      name: "a self-hosted host with no provider hint",
      annotations: { [`${OURS}repo-url`]: "https://git.example.com/team/billing.git", [`${OURS}sha`]: SHA },
      labels: {},
      expected: {
        repoUrl: "https://git.example.com/team/billing.git",
        host: "git.example.com",
        owner: "team",
        repo: "billing",
        sha: SHA,
      },
    },
    {
      name: "a repository URL carrying a token",
      annotations: { [`${KESKAD}https-repo-url`]: "https://x-access-token:ghs_secret@github.com/acme/shop-api" },
      labels: {},
      expected: { ...SHOP_API },
    },
    {
      name: "PaC's provider over the one the host suggests",
      annotations: {
        [`${PAC}repo-url`]: "https://gitlab.internal.example.com/acme/api",
        [`${PAC}git-provider`]: "GitLab",
        [`${PAC}sha`]: SHA,
      },
      labels: {},
      expected: {
        repoUrl: "https://gitlab.internal.example.com/acme/api",
        provider: "gitlab",
        host: "gitlab.internal.example.com",
        owner: "acme",
        repo: "api",
        sha: SHA,
      },
    },
    {
      name: "a Pipelines-as-Code merge request from a fork, the fork as source repository",
      annotations: {
        [`${PAC}repo-url`]: "https://gitlab.com/acme/shop",
        [`${PAC}source-repo-url`]: "https://oauth2:glpat-secret@gitlab.com/contributor/shop",
        [`${PAC}sha`]: SHA,
        [`${PAC}source-branch`]: "fix-typo",
        [`${PAC}pull-request`]: "7",
      },
      labels: {},
      expected: {
        repoUrl: "https://gitlab.com/acme/shop",
        provider: "gitlab",
        host: "gitlab.com",
        owner: "acme",
        repo: "shop",
        sha: SHA,
        ref: "fix-typo",
        pr: "7",
        sourceRepoUrl: "https://gitlab.com/contributor/shop",
      },
    },
    {
      name: "a source repository that is the run's own, in another spelling",
      annotations: {
        [`${PAC}repo-url`]: "https://gitlab.com/acme/shop",
        [`${PAC}source-repo-url`]: "https://GitLab.com/Acme/Shop.git",
        [`${PAC}sha`]: SHA,
      },
      labels: {},
      expected: { repoUrl: "https://gitlab.com/acme/shop", provider: "gitlab", host: "gitlab.com", owner: "acme", repo: "shop", sha: SHA },
    },
    {
      name: "our source repository over the one Pipelines-as-Code set",
      annotations: {
        [`${PAC}repo-url`]: "https://gitlab.com/acme/shop",
        [`${PAC}source-repo-url`]: "https://gitlab.com/contributor/shop",
        [`${OURS}source-repo-url`]: "https://gitlab.com/acme/shop",
        [`${PAC}sha`]: SHA,
      },
      labels: {},
      expected: { repoUrl: "https://gitlab.com/acme/shop", provider: "gitlab", host: "gitlab.com", owner: "acme", repo: "shop", sha: SHA },
    },
    {
      name: "a repository URL that cannot be parsed",
      annotations: { [`${OURS}repo-url`]: "not a url" },
      labels: {},
      expected: { repoUrl: "not a url" },
    },
    { name: "a sha alone", annotations: { [`${KESKAD}commit`]: ` ${SHA} ` }, labels: {}, expected: { sha: SHA } },
    {
      name: "no git metadata",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
      labels: {},
      expected: undefined,
    },
    {
      name: "a ref and a pr but no sha or repository",
      annotations: { [`${OURS}ref`]: "main", [`${OURS}pr`]: "5" },
      labels: {},
      expected: undefined,
    },
    {
      name: "blank values",
      annotations: { [`${OURS}sha`]: "  ", [`${OURS}repo-url`]: "" },
      labels: {},
      expected: undefined,
    },
    {
      name: "an organisation without a repository",
      annotations: {},
      labels: { [`${PAC}url-org`]: "acme" },
      expected: undefined,
    },
  ])("reads $name", ({ annotations, labels, expected }) => {
    // Prepare: annotations and labels above

    // Act
    const git = gitContext(annotations, labels);

    // Assess
    expect(git).toStrictEqual(expected);
  });

  it("accepts missing annotations and labels", () => {
    // Prepare
    const annotations = undefined;

    // Act
    const git = gitContext(annotations);

    // Assess
    expect(git).toBeUndefined();
  });
});
