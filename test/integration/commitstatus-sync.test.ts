import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig, type FeedbackConfig } from "../../shared/config";
import { createResyncHandler } from "../../shared/process/resync";
import { DynamoStateStore } from "../../shared/store";
import { startFakeKubeApiServer, waitUntil, type FakeKubeApiServer } from "../helpers/fake-kube";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";

const SHA_A = "3f786850e387550fdab836ed7e6dc881de23001b";
const SHA_B = "89e6c98d92887913cadf06b2adb97f26cde4849b";
const GROUP = "commit-status.argoproj.io/v1alpha1";
const { privateKey, publicKey } = appKeyPair();

const gitRepo = (name: string, apiUrl: string, driftPolicy = "overwrite") => ({
  apiVersion: GROUP,
  kind: "GitRepo",
  metadata: { name, namespace: "apps" },
  spec: { github: { owner: "acme", name: "shop", apiUrl }, credentialsRef: { ssmParameter: "/kube-feedback/github" }, driftPolicy },
});

const commitStatus = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: GROUP,
  kind: "CommitStatus",
  metadata: { name, namespace: "apps" },
  spec: { gitRepoRef: { name: "shop" }, sha: SHA_A, name: `deploy/${name}`, description: "rolling out", url: "https://argocd.example.com/app", ...spec },
});

type Status = {
  isSynced?: boolean;
  phase?: string;
  sha?: string;
  observedGeneration?: number;
  syncFailure?: { message: string };
  provider?: { github?: { checkRunId?: number } };
  conditions?: Array<{ reason: string; message: string }>;
};

describe("Class: CommitStatusHandler", () => {
  let kube: FakeKubeApiServer;
  let github: FakeGitHubServer;
  let stack: LocalStack;
  let config: FeedbackConfig;
  const credentials = async () => JSON.stringify({ app: { appId: 4242, privateKey, installationId: 7 } });

  const statusOf = (name: string, namespace = "apps"): Status =>
    ((kube.get({ apiVersion: GROUP, kind: "CommitStatus", namespace, name }) as { status?: Status } | undefined)?.status ?? {});
  /** Writes of statuses and check runs (installation token requests are not writes to the repository). */
  const statusWrites = () => github.writes.filter((w) => /\/(check-runs|statuses)/.test(w.path)).length;
  const runsFor = (name: string) => github.checkRuns.filter((r) => r.name === `deploy/${name}`);
  const settle = async (condition: () => boolean) => {
    await waitUntil(condition, 20_000);
    await stack.poller.drained(25);
  };

  beforeAll(async () => {
    kube = await startFakeKubeApiServer();
    github = await startFakeGitHub({
      repos: ["acme/shop"],
      app: { id: 4242, publicKey, installations: [{ id: 7, repos: ["acme/shop"] }] },
    });
    config = parseConfig({
      cluster: "sync",
      // Namespace "lost" is not watched: its events never arrive, as when a watch or webhook call is lost.
      watch: [{ group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses", namespaces: ["apps"] }],
      processing: { backoff: { baseSeconds: 1, capSeconds: 1 } },
    });
    stack = await startLocalStack({
      config,
      process: {
        kube: async () => kube.kubeConfig(),
        credentials: async (reference) => {
          expect(reference).toBe("ssm:/kube-feedback/github");
          return JSON.stringify({ app: { appId: 4242, privateKey, installationId: 7 } });
        },
      },
    });
    kube.apply(gitRepo("shop", github.apiUrl));
    kube.apply({ ...gitRepo("audited", github.apiUrl, "report"), metadata: { name: "audited", namespace: "apps" } });
    await stack.relay.start(kube.kubeConfig());
  });

  afterAll(async () => {
    await stack?.stop();
    await github?.stop();
    await kube?.stop();
  });

  it("writes a check run on create and records its id in the resource status", async () => {
    // Act
    kube.apply(commitStatus("create", { phase: "in_progress" }));
    await settle(() => statusOf("create").isSynced === true);

    // Assess
    const runs = runsFor("create");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ head_sha: SHA_A, status: "in_progress" });
    expect(statusOf("create")).toMatchObject({ phase: "in_progress", sha: SHA_A, observedGeneration: 1, provider: { github: { checkRunId: runs[0]!.id } } });
    github.assertNoViolations();
  });

  it("updates the same check run in place when the phase changes", async () => {
    // Prepare
    kube.apply(commitStatus("phase", { phase: "in_progress" }));
    await settle(() => statusOf("phase").isSynced === true);

    // Act
    kube.apply(commitStatus("phase", { phase: "success", description: "rolled out" }));
    await settle(() => statusOf("phase").phase === "success");

    // Assess
    expect(runsFor("phase")).toHaveLength(1);
    expect(runsFor("phase")[0]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(statusOf("phase").observedGeneration).toBe(2);
  });

  it("cancels the old commit's status first when the sha changes while in progress", async () => {
    // Prepare
    kube.apply(commitStatus("move", { phase: "in_progress" }));
    await settle(() => statusOf("move").isSynced === true);

    // Act
    kube.apply(commitStatus("move", { phase: "in_progress", sha: SHA_B }));
    await settle(() => statusOf("move").sha === SHA_B);

    // Assess
    const old = runsFor("move").find((r) => r.head_sha === SHA_A);
    const current = runsFor("move").find((r) => r.head_sha === SHA_B);
    expect(old).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(current).toMatchObject({ status: "in_progress" });
  });

  it("reports drift made in the SCM, naming the field, and writes nothing under driftPolicy report", async () => {
    // Prepare
    kube.apply(commitStatus("drift", { phase: "queued", gitRepoRef: { name: "audited" } }));
    await settle(() => statusOf("drift").isSynced === true);
    const run = runsFor("drift")[0]!;
    run.status = "completed";
    run.conclusion = "failure";
    const writes = github.writes.length;

    // Act
    kube.apply(commitStatus("drift", { phase: "in_progress", gitRepoRef: { name: "audited" } }));
    await settle(() => statusOf("drift").isSynced === false);

    // Assess
    expect(statusOf("drift").syncFailure?.message).toMatch(/^drift: phase changed in the SCM/);
    expect(github.writes.length).toBe(writes);
  });

  it("overwrites drift under driftPolicy overwrite and says so in the Synced condition", async () => {
    // Prepare
    kube.apply(commitStatus("heal", { phase: "queued" }));
    await settle(() => statusOf("heal").isSynced === true);
    runsFor("heal")[0]!.output.summary = "edited by hand";

    // Act
    kube.apply(commitStatus("heal", { phase: "in_progress" }));
    await settle(() => statusOf("heal").phase === "in_progress");

    // Assess
    expect(runsFor("heal")[0]).toMatchObject({ status: "in_progress", output: { summary: "rolling out" } });
    expect(statusOf("heal").conditions?.[0]).toMatchObject({ reason: "DriftCorrected" });
    expect(statusOf("heal").conditions?.[0]?.message).toContain("description changed in the SCM");
  });

  it.each([
    ["a missing GitRepo", { gitRepoRef: { name: "nope" } }, /GitRepo apps\/nope not found/],
    ["the British spelling of canceled", { phase: "cancelled" }, /spec\.phase: "cancelled" is not a phase; use "canceled"/],
  ])("reports %s in syncFailure without calling the SCM", async (_case, spec, reason) => {
    // Prepare
    const name = `bad-${Object.keys(spec)[0]!.toLowerCase()}`;
    const writes = github.writes.length;

    // Act
    kube.apply(commitStatus(name, { phase: "queued", ...spec }));
    await settle(() => statusOf(name).isSynced === false);

    // Assess: reported once, although the write-back itself comes back as a watch event.
    expect(statusOf(name).syncFailure?.message).toMatch(reason);
    expect(github.writes.length).toBe(writes);
    expect(kube.requests.filter((r) => r.verb === "patch" && r.path.endsWith(`/${name}/status`))).toHaveLength(1);
  });

  it("retries a status write-back answered 409 without writing the SCM twice", async () => {
    // Prepare
    kube.failNext({ verb: "patch", plural: "commitstatuses", subresource: "status", code: 409, times: 1 });
    const patches = () => kube.requests.filter((r) => r.verb === "patch" && r.path.endsWith("/conflict/status")).length;

    // Act
    kube.apply(commitStatus("conflict", { phase: "in_progress" }));
    await settle(() => statusOf("conflict").isSynced === true);

    // Assess
    expect(patches()).toBe(2);
    expect(runsFor("conflict")).toHaveLength(1);
    expect(github.writes.filter((w) => w.path.includes("check-runs")).length).toBeGreaterThan(0);
  });

  describe("Function: resync", () => {
    const resync = () =>
      createResyncHandler({
        config,
        store: new DynamoStateStore({ tableName: stack.emulators.tableName }),
        kube: async () => kube.kubeConfig(),
        credentials,
      })();

    it("syncs a CommitStatus whose event was lost", async () => {
      // Prepare
      kube.apply({ ...gitRepo("shop", github.apiUrl), metadata: { name: "shop", namespace: "lost" } });
      kube.apply({ ...commitStatus("orphan", { phase: "queued" }), metadata: { name: "orphan", namespace: "lost" } });

      // Act
      const report = await resync();

      // Assess
      expect(statusOf("orphan", "lost")).toMatchObject({ isSynced: true, phase: "queued", observedGeneration: 1 });
      expect(runsFor("orphan")).toHaveLength(1);
      expect(report.verdicts.Completed).toBeGreaterThanOrEqual(1);
    });

    it("re-reads recently synced resources and overwrites drift made in the SCM", async () => {
      // Prepare
      const run = runsFor("create")[0]!;
      run.status = "completed";
      run.conclusion = "failure";
      const writes = statusWrites();

      // Act
      await resync();

      // Assess
      expect(runsFor("create")[0]).toMatchObject({ status: "in_progress", conclusion: null });
      expect(statusOf("create").conditions?.[0]?.message).toMatch(/^drift: phase changed in the SCM/);
      expect(statusWrites()).toBe(writes + 1);
    });

    it("writes nothing when every resource is in sync", async () => {
      // Prepare
      await stack.poller.drained(25);
      await resync();
      const writes = statusWrites();

      // Act
      await resync();

      // Assess
      expect(statusWrites()).toBe(writes);
    });
  });
});
