import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { Disposition } from "../../../shared/errors";
import type { Log } from "../../../shared/log";
import { PipelinePhase, type PipelineInfo, type Stage } from "../../../shared/pipeline/types";
import { transientMemory, type RunMemory } from "../../../shared/pipeline/receiver";
import { createReceivers, LifecycleEvent, type ReceiverContext, type ServiceContext } from "../../../shared/receivers";
import type { ScmReceiver } from "../../../shared/receivers/scm";
import { PermanentScmError, RateLimitedError } from "../../../shared/scm";
import { appKeyPair, startFakeGitHub, startFakeGitLab, type FakeGitHubServer, type FakeGitLabServer } from "../../helpers/fake-scm";
import { MemoryReceiverStore } from "../../helpers/memory-receiver-store";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const APP_ID = 4242;
const { privateKey, publicKey } = appKeyPair();

const debugLines: string[] = [];
const log = { debug: (message: string) => void debugLines.push(message), info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;
const stage = (name: string, phase: PipelinePhase): Stage => ({ name, phase });

/**
 * The receivers reach the fakes through `baseUrl` / `host`, which makes a
 * fake's `127.0.0.1:port` their web host: a receiver posts only for runs on
 * its own host, so the runs below live there (set once the fakes listen).
 */
const hosts = { github: "github.com", gitlab: "gitlab.com" };

const run = (phase: PipelinePhase, overrides: Partial<PipelineInfo> = {}): PipelineInfo => ({
  id: "prod/ci/build-and-test-x7k2p",
  uid: "uid-1",
  cluster: "prod",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-and-test-x7k2p",
  namespace: "ci",
  phase,
  stages: phase === PipelinePhase.Succeeded ? [stage("build", PipelinePhase.Succeeded)] : [],
  labels: { "tekton.dev/pipeline": "build-and-test" },
  annotations: {},
  git: { provider: "github", host: hosts.github, owner: "example", repo: "shop", sha: SHA },
  ...overrides,
});

const build = async (options: Record<string, unknown>, store = new MemoryReceiverStore()) => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [{ name: "shop-checks", type: "scm", options }],
  });
  const receiver = createReceivers(config)[0]!.receiver as ScmReceiver;
  const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store };
  await receiver.initialize(sc);
  return { receiver, store };
};

/** A call's context; calls for one run share its `memory`, kept in the run item by the pipeline handler. */
const ctx = (event: LifecycleEvent, memory: RunMemory = transientMemory()): ReceiverContext => ({ log, event, memory });

describe("Class: ScmReceiver", () => {
  let github: FakeGitHubServer;
  let gitlab: FakeGitLabServer;
  const app = () => ({ provider: "github", baseUrl: github.apiUrl, app: { appId: APP_ID, privateKey: "env:SCM_TEST_APP_KEY", installationId: 7 } });

  beforeAll(async () => {
    process.env.SCM_TEST_APP_KEY = privateKey;
    process.env.SCM_TEST_TOKEN = "ghp_token";
    process.env.SCM_TEST_GITLAB_TOKEN = "glpat-token";
    github = await startFakeGitHub({
      repos: ["example/shop"],
      tokens: ["ghp_token"],
      app: { id: APP_ID, publicKey, installations: [{ id: 7, repos: ["example/shop"] }] },
    });
    gitlab = await startFakeGitLab({ projects: [{ id: 12, path: "example/shop" }], tokens: ["glpat-token"] });
    hosts.github = new URL(github.url).host;
    hosts.gitlab = new URL(gitlab.url).host;
  });
  beforeEach(() => {
    debugLines.length = 0;
  });
  afterEach(() => {
    github.assertNoViolations();
    github.clearRequests();
    gitlab.clearRequests();
  });
  afterAll(async () => {
    await github.stop();
    await gitlab.stop();
  });

  describe("Method: initialize", () => {
    it("throws naming the option when the secret it points at is not set", async () => {
      // Act
      const error = await build({ provider: "github", token: "env:SCM_TEST_UNSET" }).catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toBe("receiver shop-checks: options.token: environment variable SCM_TEST_UNSET is not set");
    });

    it("throws naming app.privateKey when the secret is not a PEM key", async () => {
      // Prepare
      process.env.SCM_TEST_BAD_KEY = "not a key";

      // Act
      const error = await build({ provider: "github", app: { appId: 1, privateKey: "env:SCM_TEST_BAD_KEY" } }).catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toBe("receiver shop-checks: options.app.privateKey: github app privateKey is not a PEM private key");
    });
    it("throws at start for Bitbucket without processing.dashboardUrl, which every build status needs", async () => {
      // Act
      const error = await build({ provider: "bitbucket-cloud", token: "env:SCM_TEST_TOKEN" }).catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toBe("receiver shop-checks: bitbucket-cloud requires a link on every build status: set processing.dashboardUrl");
    });
  });

  describe("Method: whenCreated", () => {
    it("posts nothing and says why at debug level for a run without git context", async () => {
      // Prepare
      const { receiver, store } = await build(app());

      // Act
      await receiver.whenCreated(ctx(LifecycleEvent.Created), run(PipelinePhase.Pending, { git: undefined }));

      // Assess
      expect(github.requests).toHaveLength(0);
      expect(store.counts).toEqual({ reads: 0, writes: 0 });
      expect(debugLines).toEqual(["receiver shop-checks: nothing to post for prod/ci/build-and-test-x7k2p: the run has no git context (no repository or commit annotations)"]);
    });

    it("posts nothing for a github.com run and says why at debug level, though the run says github", async () => {
      // Prepare
      const { receiver, store } = await build(app());

      // Act
      await receiver.whenCreated(ctx(LifecycleEvent.Created), run(PipelinePhase.Pending, { git: { provider: "github", host: "github.com", owner: "example", repo: "shop", sha: SHA } }));

      // Assess
      expect(github.requests).toHaveLength(0);
      expect(store.counts).toEqual({ reads: 0, writes: 0 });
      expect(debugLines).toEqual([`receiver shop-checks: nothing to post for prod/ci/build-and-test-x7k2p: the run's repository host github.com is not this receiver's ${hosts.github}`]);
    });
  });

  describe("Method: updateProgress", () => {
    it("writes one check run per distinct state and makes no request for a repeat", async () => {
      // Prepare
      const [{ receiver, store }, memory] = [await build(app()), transientMemory()];

      // Act
      await receiver.whenCreated(ctx(LifecycleEvent.Created, memory), run(PipelinePhase.Pending));
      await receiver.whenStarted(ctx(LifecycleEvent.Started, memory), run(PipelinePhase.Running));
      await receiver.updateProgress(ctx(LifecycleEvent.Progress, memory), run(PipelinePhase.Running));
      const before = github.requests.length;
      await receiver.updateProgress(ctx(LifecycleEvent.Progress, memory), run(PipelinePhase.Running));

      // Assess
      expect(github.requests.length).toBe(before);
      expect(github.writes.map((r) => `${r.method} ${r.path.replace(/\/\d+$/, "/{id}")}`)).toEqual([
        "POST /app/installations/7/access_tokens",
        "POST /repos/example/shop/check-runs",
        "PATCH /repos/example/shop/check-runs/{id}",
      ]);
      // The status is remembered in the run's memory: the store is read only for the credential's rate-limit pause, and a free one is trusted for a while.
      expect(store.counts).toEqual({ reads: 1, writes: 0 });
      expect(memory.value).toMatchObject({ phase: "in_progress", ids: { checkRunId: expect.any(Number) } });
    });

    it("leaves the status alone when an earlier state of the same run is replayed", async () => {
      // Prepare
      const [{ receiver }, memory] = [await build(app()), transientMemory()];
      await receiver.whenFinished(ctx(LifecycleEvent.Finished, memory), run(PipelinePhase.Succeeded, { uid: "uid-replay" }));
      github.clearRequests();

      // Act
      await receiver.whenCreated(ctx(LifecycleEvent.Created, memory), run(PipelinePhase.Pending, { uid: "uid-replay" }));
      await receiver.whenStarted(ctx(LifecycleEvent.Started, memory), run(PipelinePhase.Running, { uid: "uid-replay" }));
      await receiver.whenFinished(ctx(LifecycleEvent.Finished, memory), run(PipelinePhase.Failed, { uid: "uid-replay" }));

      // Assess
      expect(github.requests).toHaveLength(0);
    });

    it("creates a new check run for a rerun of the same commit and status name", async () => {
      // Prepare
      const { receiver } = await build(app());
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Failed, { uid: "uid-first" }));

      // Act
      await receiver.whenCreated(ctx(LifecycleEvent.Created), run(PipelinePhase.Pending, { uid: "uid-rerun", name: "build-and-test-q9z4k" }));

      // Assess
      const runs = github.checkRuns.filter((r) => r.name === "ci/build-and-test").slice(-2);
      expect(runs.map((r) => [r.status, r.conclusion])).toEqual([
        ["completed", "failure"],
        ["queued", null],
      ]);
    });
  });

  describe("Method: whenFinished", () => {
    it("rethrows a refusal as a permanent PermanentScmError", async () => {
      // Prepare
      const { receiver } = await build(app());
      const elsewhere = run(PipelinePhase.Succeeded, { git: { provider: "github", host: hosts.github, owner: "example", repo: "gone", sha: SHA } });

      // Act
      const error = await receiver.whenFinished(ctx(LifecycleEvent.Finished), elsewhere).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(PermanentScmError);
      expect(error).toMatchObject({ disposition: Disposition.Permanent, status: 404 });
    });

    it("rethrows a rate limit as RateLimitedError carrying the delay until the reset", async () => {
      // Prepare
      const { receiver } = await build({ provider: "github", baseUrl: github.apiUrl, token: "env:SCM_TEST_TOKEN" });
      github.rateLimitNext({ resetInSeconds: 30 });

      // Act
      const error = await receiver.whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Succeeded, { uid: "uid-limited" })).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(29);
      expect((error as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(31);
      expect(github.requests).toHaveLength(1);
    });
  });

  describe("Method: whenStarted (pull request comment)", () => {
    const pr = (phase: PipelinePhase, uid = "uid-pr") => run(phase, { uid, git: { provider: "github", host: hosts.github, owner: "example", repo: "shop", sha: SHA, pr: "42" } });

    it("creates one comment with the stage table, then edits it in place", async () => {
      // Prepare
      const { receiver } = await build({ provider: "github", baseUrl: github.apiUrl, token: "env:SCM_TEST_TOKEN", comment: { enabled: true } });

      // Act
      await receiver.whenStarted(ctx(LifecycleEvent.Started), pr(PipelinePhase.Running));
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), pr(PipelinePhase.Succeeded));
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), pr(PipelinePhase.Succeeded));

      // Assess
      const mine = github.issues.comments.filter((c) => c.issue_number === 42);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.body).toContain("<!-- kube-feedback:ci/build-and-test -->");
      expect(mine[0]!.body).toContain("| build | ✅ Succeeded |  |");
      expect(github.requests.filter((r) => r.path.includes("comments")).map((r) => r.method)).toEqual(["GET", "POST", "PATCH"]);
    });

    it("finds its comment by the marker when the store has forgotten it", async () => {
      // Prepare
      const options = { provider: "github", baseUrl: github.apiUrl, token: "env:SCM_TEST_TOKEN", comment: { enabled: true } };
      const first = await build(options);
      await first.receiver.whenStarted(ctx(LifecycleEvent.Started), run(PipelinePhase.Running, { git: { provider: "github", host: hosts.github, owner: "example", repo: "shop", sha: SHA, pr: "43" } }));
      const fresh = await build(options);

      // Act
      await fresh.receiver.whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Succeeded, { git: { provider: "github", host: hosts.github, owner: "example", repo: "shop", sha: SHA, pr: "43" } }));

      // Assess
      expect(github.issues.comments.filter((c) => c.issue_number === 43)).toHaveLength(1);
      expect(github.writes.filter((r) => r.path.includes("comments")).map((r) => r.method)).toEqual(["POST", "PATCH"]);
    });

    it("keeps one GitLab merge request note up to date", async () => {
      // Prepare
      const { receiver } = await build({ provider: "gitlab", host: gitlab.url, token: "env:SCM_TEST_GITLAB_TOKEN", comment: { enabled: true } });
      const mr = (phase: PipelinePhase) => run(phase, { uid: "uid-mr", git: { provider: "gitlab", host: hosts.gitlab, owner: "example", repo: "shop", sha: SHA, ref: "refs/heads/main", pr: "7" } });

      // Act
      await receiver.whenStarted(ctx(LifecycleEvent.Started), mr(PipelinePhase.Running));
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), mr(PipelinePhase.Succeeded));

      // Assess
      expect(gitlab.mergeRequests.notes).toHaveLength(1);
      expect(gitlab.mergeRequests.notes[0]!.body).toContain("### ✅ `ci/build-and-test` succeeded");
      expect(gitlab.requests.filter((r) => r.path.includes("/notes")).map((r) => r.method)).toEqual(["GET", "POST", "PUT"]);
      expect(gitlab.statuses.map((s) => [s.status, s.ref])).toEqual([["success", "main"]]);
    });
  });
});
