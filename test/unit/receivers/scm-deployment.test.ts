import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { Disposition } from "../../../shared/errors";
import type { Log } from "../../../shared/log";
import { PipelinePhase as P, type PipelineInfo } from "../../../shared/pipeline/types";
import { createReceivers, LifecycleEvent as E, type ServiceContext } from "../../../shared/receivers";
import type { ScmReceiver } from "../../../shared/receivers/scm";
import { deploymentPhaseOf, ENVIRONMENT_ANNOTATION, ENVIRONMENT_URL_ANNOTATION } from "../../../shared/receivers/scm-deployment";
import { DeploymentPhase, PermanentScmError, phaseToGitHubDeployment, UnmappedStateError } from "../../../shared/scm/providers";
import { appKeyPair, startFakeGitHub, startFakeGitLab, type FakeGitHubServer, type FakeGitLabServer } from "../../helpers/fake-scm";
import { MemoryReceiverStore } from "../../helpers/memory-receiver-store";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const APP_ID = 5252;
const { privateKey, publicKey } = appKeyPair();

const debugLines: string[] = [];
const log = { debug: (message: string) => void debugLines.push(message), info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;
const hosts = { github: "github.com", gitlab: "gitlab.com" };

const run = (phase: P, overrides: Partial<PipelineInfo> = {}): PipelineInfo => ({
  id: "prod/deploy/deploy-shop-x7k2p",
  uid: "uid-deploy",
  cluster: "prod",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "deploy-shop-x7k2p",
  namespace: "deploy",
  phase,
  stages: [],
  labels: {},
  annotations: { [ENVIRONMENT_ANNOTATION]: "production" },
  dashboardUrl: "https://dashboard.example.com/deploy/deploy-shop-x7k2p",
  git: { provider: "github", host: hosts.github, owner: "example", repo: "shop", sha: SHA },
  ...overrides,
});

const build = async (options: Record<string, unknown>) => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [{ name: "deploys", type: "scm", options }],
  });
  const receiver = createReceivers(config)[0]!.receiver as ScmReceiver;
  const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store: new MemoryReceiverStore() };
  await receiver.initialize(sc);
  return receiver;
};

/** The lifecycle of one run as the pipeline handler calls it: created, started, finished with `phase`. */
const lifecycle = async (receiver: ScmReceiver, phase: P, overrides: Partial<PipelineInfo> = {}) => {
  await receiver.whenCreated({ log, event: E.Created }, run(P.Pending, overrides));
  await receiver.whenStarted({ log, event: E.Started }, run(P.Running, overrides));
  await receiver.whenFinished({ log, event: E.Finished }, run(phase, overrides));
};

describe("Function: deploymentPhaseOf", () => {
  it.each([
    [E.Created, P.Succeeded, DeploymentPhase.Queued],
    [E.Started, P.Succeeded, DeploymentPhase.InProgress],
    [E.Progress, P.Running, DeploymentPhase.InProgress],
    [E.Finished, P.Succeeded, DeploymentPhase.Success],
    [E.Finished, P.Failed, DeploymentPhase.Failure],
    [E.Finished, P.TimedOut, DeploymentPhase.Failure],
    [E.Finished, P.Errored, DeploymentPhase.Error],
    [E.Finished, P.Cancelled, DeploymentPhase.Canceled],
  ])("maps %s of a %s run to %s", (event, phase, expected) => {
    expect(deploymentPhaseOf(event, phase)).toBe(expected);
  });

  it("throws for a phase it has no mapping for", () => {
    expect(() => deploymentPhaseOf(E.Finished, "toString" as P)).toThrow(UnmappedStateError);
  });
});

describe("Function: phaseToGitHubDeployment", () => {
  it.each([
    [DeploymentPhase.Queued, "queued"],
    [DeploymentPhase.InProgress, "in_progress"],
    [DeploymentPhase.Success, "success"],
    [DeploymentPhase.Failure, "failure"],
    [DeploymentPhase.Error, "error"],
    // Not inactive: GitHub gives that to deployments superseded by a newer one.
    [DeploymentPhase.Canceled, "error"],
  ])("maps %s to GitHub's %s", (phase, state) => {
    expect(phaseToGitHubDeployment(phase)).toBe(state);
  });

  it("throws for a phase it has no mapping for", () => {
    expect(() => phaseToGitHubDeployment("inactive" as DeploymentPhase)).toThrow(UnmappedStateError);
  });
});

describe("Class: ScmReceiver (deployments)", () => {
  let github: FakeGitHubServer;
  let gitlab: FakeGitLabServer;
  const app = (installationId = 7) => ({ provider: "github", baseUrl: github.apiUrl, app: { appId: APP_ID, privateKey: "env:DEPLOY_TEST_APP_KEY", installationId } });
  const token = () => ({ provider: "github", baseUrl: github.apiUrl, token: "env:DEPLOY_TEST_TOKEN" });
  const deploymentWrites = () => github.writes.filter((r) => r.path.includes("/deployments")).map((r) => `${r.method} ${r.path.replace(/\d+\/statuses$/, "{id}/statuses")}`);
  const statesOf = (uid: string) => {
    const deployment = github.deployments.deployments.find((d) => (d.payload as { uid: string }).uid === uid)!;
    return github.deployments.statusesOf(deployment.id).map((s) => s.state);
  };

  beforeAll(async () => {
    process.env.DEPLOY_TEST_APP_KEY = privateKey;
    process.env.DEPLOY_TEST_TOKEN = "ghp_deploy";
    process.env.DEPLOY_TEST_GITLAB_TOKEN = "glpat-deploy";
    github = await startFakeGitHub({
      repos: ["example/shop"],
      tokens: ["ghp_deploy"],
      app: {
        id: APP_ID,
        publicKey,
        installations: [
          { id: 7, repos: ["example/shop"] },
          // Installed without the Deployments permission.
          { id: 8, repos: ["example/shop"], permissions: { checks: "write", statuses: "write", metadata: "read" } },
        ],
      },
    });
    gitlab = await startFakeGitLab({ projects: [{ id: 12, path: "example/shop" }], tokens: ["glpat-deploy"] });
    hosts.github = new URL(github.url).host;
    hosts.gitlab = new URL(gitlab.url).host;
  });
  beforeEach(() => {
    debugLines.length = 0;
  });
  afterEach(() => {
    github.assertNoViolations();
    github.clearRequests();
  });
  afterAll(async () => {
    await github.stop();
    await gitlab.stop();
  });

  it.each([
    [P.Failed, "failure"],
    [P.TimedOut, "failure"],
    [P.Errored, "error"],
    [P.Cancelled, "error"],
  ])("ends the deployment of a %s run as %s", async (phase, state) => {
    // Prepare
    const receiver = await build(app());

    // Act
    await lifecycle(receiver, phase, { uid: `uid-${phase}` });

    // Assess
    expect(statesOf(`uid-${phase}`)).toEqual(["queued", "in_progress", state]);
  });

  it("posts each status once, whatever callback is delivered again or late", async () => {
    // Prepare
    const receiver = await build(token());
    await lifecycle(receiver, P.Succeeded, { uid: "uid-again" });
    github.clearRequests();

    // Act
    await receiver.whenFinished({ log, event: E.Finished }, run(P.Succeeded, { uid: "uid-again" }));
    await receiver.whenStarted({ log, event: E.Started }, run(P.Running, { uid: "uid-again" }));
    await receiver.updateProgress({ log, event: E.Progress }, run(P.Running, { uid: "uid-again" }));

    // Assess
    expect(deploymentWrites()).toEqual([]);
    expect(statesOf("uid-again")).toEqual(["queued", "in_progress", "success"]);
  });

  it("adds the statuses to the one deployment when a status failed after it was created", async () => {
    // Prepare
    const receiver = await build(token());
    github.failNext({ method: "POST", path: /\/deployments\/\d+\/statuses$/, status: 502, body: { message: "Server Error" } });

    // Act
    const error = await receiver.whenCreated({ log, event: E.Created }, run(P.Pending, { uid: "uid-retry" })).catch((e: unknown) => e);
    await receiver.whenCreated({ log, event: E.Created }, run(P.Pending, { uid: "uid-retry" }));
    await receiver.whenStarted({ log, event: E.Started }, run(P.Running, { uid: "uid-retry" }));

    // Assess
    expect((error as { disposition?: Disposition }).disposition).toBe(Disposition.Retry);
    expect(deploymentWrites()).toEqual([
      "POST /repos/example/shop/deployments",
      "POST /repos/example/shop/deployments/{id}/statuses",
      "POST /repos/example/shop/deployments/{id}/statuses",
      "POST /repos/example/shop/deployments/{id}/statuses",
    ]);
    expect(statesOf("uid-retry")).toEqual(["queued", "in_progress"]);
  });

  it("fits the description to GitHub's 140 characters and links the environment only to an http(s) URL", async () => {
    // Prepare
    const receiver = await build(token());
    const long = { uid: "uid-long", name: `deploy-${"shop-".repeat(30)}x7k2p`, annotations: { [ENVIRONMENT_ANNOTATION]: "production", [ENVIRONMENT_URL_ANNOTATION]: "javascript:alert(1)" } };

    // Act
    await lifecycle(receiver, P.Failed, long);

    // Assess
    const deployment = github.deployments.deployments.find((d) => (d.payload as { uid: string }).uid === "uid-long")!;
    const statuses = github.deployments.statusesOf(deployment.id);
    expect(statuses.every((s) => s.description.length <= 140 && s.description.startsWith("deploy-shop-"))).toBe(true);
    expect(statuses.every((s) => s.environment_url === "")).toBe(true);
  });

  it.each([
    ["App credentials without the Deployments permission", () => app(8), undefined],
    ["a token GitHub refuses deployments to", token, { method: "POST", path: "/deployments", status: 403, body: { message: "Resource not accessible by personal access token" } }],
  ])("fails permanently with %s, naming the permission, after writing the status", async (_case, options, failure) => {
    // Prepare
    const receiver = await build(options());
    if (failure) github.failNext(failure);

    // Act
    const error = await receiver.whenCreated({ log, event: E.Created }, run(P.Pending, { uid: "uid-403" })).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PermanentScmError);
    expect(error).toMatchObject({ disposition: Disposition.Permanent, status: 403 });
    expect((error as Error).message).toContain('needs "Deployments: read and write"');
    expect(github.writes.some((r) => /\/check-runs$|\/statuses\/[0-9a-f]{40}$/.test(r.path))).toBe(true);
  });

  it("makes no deployment for a run without the environment annotation", async () => {
    // Prepare
    const receiver = await build(token());

    // Act
    await lifecycle(receiver, P.Succeeded, { uid: "uid-plain", annotations: {} });

    // Assess
    expect(deploymentWrites()).toEqual([]);
    expect(github.statuses.some((s) => s.description?.startsWith("deploy-shop-x7k2p"))).toBe(true);
  });

  it("ignores the annotation on an SCM without deployments, saying so at debug level", async () => {
    // Prepare
    const receiver = await build({ provider: "gitlab", host: gitlab.url, token: "env:DEPLOY_TEST_GITLAB_TOKEN" });

    // Act
    await receiver.whenCreated({ log, event: E.Created }, run(P.Pending, { git: { provider: "gitlab", host: hosts.gitlab, owner: "example", repo: "shop", sha: SHA } }));

    // Assess
    expect(gitlab.requests.filter((r) => r.path.includes("deployment"))).toHaveLength(0);
    expect(debugLines).toContain(`receiver deploys: ${ENVIRONMENT_ANNOTATION} on prod/deploy/deploy-shop-x7k2p ignored: gitlab has no deployments`);
  });
});
