import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { startFakeKubeApiServer, waitUntil, type FakeKubeApiServer } from "../helpers/fake-kube";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const GROUP = "commit-status.argoproj.io/v1alpha1";
const { privateKey, publicKey } = appKeyPair();

const gitRepo = (apiUrl: string, ssmParameter: string, name = "shop") => ({
  apiVersion: GROUP,
  kind: "GitRepo",
  metadata: { name, namespace: "apps" },
  spec: { github: { owner: "acme", name, apiUrl }, credentialsRef: { ssmParameter } },
});

const commitStatus = (name: string, gitRepoName = "shop") => ({
  apiVersion: GROUP,
  kind: "CommitStatus",
  metadata: { name, namespace: "apps" },
  spec: { gitRepoRef: { name: gitRepoName }, sha: SHA, name: `deploy/${name}`, description: "rolling out", phase: "in_progress", url: "https://argocd.example.com/app" },
});

type Status = { isSynced?: boolean; syncFailure?: { message: string } };

describe("Class: GitRepoHandler", () => {
  let kube: FakeKubeApiServer;
  let github: FakeGitHubServer;
  let stack: LocalStack;
  const read: string[] = [];
  const statusOf = (name: string): Status => ((kube.get({ apiVersion: GROUP, kind: "CommitStatus", namespace: "apps", name }) as { status?: Status } | undefined)?.status ?? {});

  beforeAll(async () => {
    kube = await startFakeKubeApiServer();
    github = await startFakeGitHub({ repos: ["acme/shop", "acme/other"], app: { id: 4343, publicKey, installations: [{ id: 8, repos: ["acme/shop", "acme/other"] }] } });
    const config = parseConfig({
      cluster: "gitrepos",
      watch: [
        { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses", namespaces: ["apps"] },
        { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "gitrepos", namespaces: ["apps"] },
      ],
      processing: { backoff: { baseSeconds: 1, capSeconds: 1 } },
    });
    stack = await startLocalStack({
      config,
      process: {
        kube: async () => kube.kubeConfig(),
        credentials: async (reference) => {
          read.push(reference);
          if (reference !== "ssm:/kube-feedback/github") throw new Error("ParameterNotFound");
          return JSON.stringify({ app: { appId: 4343, privateKey, installationId: 8 } });
        },
      },
    });
    // Credentials that cannot be read: both CommitStatuses are blocked.
    kube.apply(gitRepo(github.apiUrl, "/kube-feedback/missing"));
    kube.apply(commitStatus("web"));
    kube.apply(commitStatus("api"));
    kube.apply(commitStatus("other", "elsewhere"));
    await stack.relay.start(kube.kubeConfig());
    await waitUntil(() => statusOf("web").isSynced === false && statusOf("api").isSynced === false, 20_000);
    await stack.poller.drained(25);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await github?.stop();
    await kube?.stop();
  });

  it("syncs the CommitStatuses a fixed GitRepo blocked, without touching them", async () => {
    // Prepare
    expect(statusOf("web").syncFailure?.message).toContain("credentialsRef");
    expect(github.checkRuns).toHaveLength(0);
    const generations = ["web", "api"].map((name) => (kube.get({ apiVersion: GROUP, kind: "CommitStatus", namespace: "apps", name }) as { metadata: { generation?: number } }).metadata.generation);

    // Act: only the GitRepo changes.
    kube.apply(gitRepo(github.apiUrl, "/kube-feedback/github"));
    await waitUntil(() => statusOf("web").isSynced === true && statusOf("api").isSynced === true, 20_000);
    await stack.poller.drained(25);

    // Assess
    github.assertNoViolations();
    expect(github.checkRuns.map((r) => r.name).sort()).toEqual(["deploy/api", "deploy/web"]);
    expect(["web", "api"].map((name) => (kube.get({ apiVersion: GROUP, kind: "CommitStatus", namespace: "apps", name }) as { metadata: { generation?: number } }).metadata.generation)).toEqual(generations);
    // A CommitStatus of another GitRepo is left alone.
    expect(github.checkRuns.some((r) => r.name === "deploy/other")).toBe(false);
  }, 60_000);

  it("cancels the status on the old repository first when a CommitStatus in progress moves to another repository", async () => {
    // Prepare
    kube.apply(gitRepo(github.apiUrl, "/kube-feedback/github", "other"));
    kube.apply(commitStatus("move"));
    await waitUntil(() => github.checkRuns.some((r) => r.name === "deploy/move"), 20_000);
    await stack.poller.drained(25);

    // Act: same commit and name, another GitRepo and so another repository.
    kube.apply(commitStatus("move", "other"));
    await waitUntil(() => github.checkRuns.some((r) => r.name === "deploy/move" && r.repo === "acme/other"), 20_000);
    await stack.poller.drained(25);

    // Assess
    const runs = github.checkRuns.filter((r) => r.name === "deploy/move");
    expect(runs.find((r) => r.repo === "acme/shop")).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(runs.find((r) => r.repo === "acme/other")).toMatchObject({ status: "in_progress" });
    expect(statusOf("move").isSynced).toBe(true);
  }, 60_000);
});
