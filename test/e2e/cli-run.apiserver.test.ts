import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyObjects, findApiServerScript, readKustomization, readManifest, REPOSITORY_ROOT, startApiServer, waitForAccess, waitForCrds, type RealApiServer } from "../helpers/apiserver";
import { startCli, type CliProcess } from "../helpers/cli-process";
import { eventually } from "../helpers/eventually";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";
import { HoldingWebhook } from "../helpers/holding-webhook";
import { startTlsFront, type TlsFront } from "../helpers/tls-front";

const script = findApiServerScript("cli-run.apiserver.test.ts");
const STANDALONE = join(REPOSITORY_ROOT, "infra", "standalone");
/** The pod's identity in infra/standalone: the CLI runs as this user, with exactly the RBAC the manifests grant. */
const SERVICE_ACCOUNT = "system:serviceaccount:kube-feedback:kube-feedback";
const GROUP = "commit-status.argoproj.io";
const VERSION = "v1alpha1";
const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const LIFECYCLE = ["created", "started", "finished"] as const;
const STARTED = { startTime: "2026-03-02T10:00:00Z", active: 1 };
const FINISHED = {
  startTime: "2026-03-02T10:00:00Z",
  completionTime: "2026-03-02T10:01:00Z",
  active: 0,
  succeeded: 1,
  conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2026-03-02T10:01:00Z" }],
};
const { privateKey, publicKey } = appKeyPair();
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

interface CommitStatusSeen {
  status?: {
    isSynced?: boolean;
    phase?: string;
    observedGeneration?: number;
    provider?: { github?: { checkRunId?: number } };
    conditions?: Array<{ type: string; reason: string }>;
  };
}

describe.skipIf(script === undefined)("Command: kube-feedback run, on a real kube-apiserver", () => {
  let server: RealApiServer;
  let admin: KubeConfig;
  let github: FakeGitHubServer;
  let front: TlsFront;
  let hook: HoldingWebhook;
  let dir: string;

  /** A namespace of workloads whose GitRepos read their credentials from a Secret there, as the standalone docs say to set up. */
  const workloads = async (namespace: string): Promise<void> => {
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const credentials = JSON.stringify({ app: { appId: 515, privateKey, installationId: 9 } });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: "github" }, stringData: { credentials } } });
    await applyObjects(admin, [
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "kube-feedback-standalone-secret-reader", namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kube-feedback-standalone-secret-reader" },
        subjects: [{ kind: "ServiceAccount", name: "kube-feedback", namespace: "kube-feedback" }],
      } as never,
    ]);
    await waitForAccess(server.impersonating(SERVICE_ACCOUNT), { verb: "get", resource: "secrets", namespace, name: "github" });
  };

  /** feedback.yaml for one namespace: its Jobs and CommitStatuses, a webhook whose HMAC key is a k8s: reference. */
  const writeConfig = (namespace: string): string => {
    const file = join(dir, `${namespace}.yaml`);
    const watched = (group: string, version: string, resource: string) => `{ group: ${group}, version: ${version}, resource: ${resource}, namespaces: [${namespace}] }`;
    writeFileSync(
      file,
      [
        "cluster: standalone",
        `watch: [${watched("batch", "v1", "jobs")}, ${watched(GROUP, VERSION, "commitstatuses")}, ${watched(GROUP, VERSION, "gitrepos")}]`,
        `receivers: [{ name: hook, type: webhook, options: { url: '${hook.url}', secret: 'k8s:kube-feedback/hook#hmac', events: [${LIFECYCLE.join(", ")}] } }]`,
        "",
      ].join("\n"),
    );
    return file;
  };

  const run = (namespace: string, stateDir: string, ...flags: string[]): CliProcess =>
    startCli(["run", "--config", writeConfig(namespace), "--state-dir", stateDir, "--kubeconfig", join(dir, "kubeconfig"), ...flags], {
      // As deployment.yaml sets them; the lease short, so that a restart after SIGKILL takes it over soon.
      POD_NAMESPACE: "kube-feedback",
      RELAY_LEASE_NAME: "kube-feedback-standalone",
      RELAY_KNOWN_CONFIGMAP: "kube-feedback-standalone-known",
      RELAY_LEASE_DURATION_SECONDS: "3",
      RELAY_RENEW_SECONDS: "1",
      RELAY_RETRY_SECONDS: "1",
      RELAY_HEALTH_PORT: "0",
      // Captured, and shown only in the message of a condition never met.
      POWERTOOLS_LOG_LEVEL: "INFO",
      // The fake GitHub's https front has a self-signed certificate.
      NODE_TLS_REJECT_UNAUTHORIZED: "0",
    });

  /** `eventually`, with what the CLI printed in the error when the condition is never met; the timeout only guards against a hang. */
  const waitFor = async (cli: CliProcess, what: string, condition: () => boolean | Promise<boolean>): Promise<void> => {
    try {
      await eventually(condition, 90_000, 100);
    } catch (error) {
      throw new Error(`${what}: ${(error as Error).message}; the CLI printed:\n${cli.stdout().slice(-6000)}`, { cause: error });
    }
  };

  const batch = () => admin.makeApiClient(BatchV1Api);
  const createJob = async (namespace: string, name: string): Promise<string> => {
    const job = await batch().createNamespacedJob({
      namespace,
      body: { metadata: { name }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "build", image: "busybox" }] } } } },
    });
    return job.metadata!.uid!;
  };
  const patchJob = (namespace: string, name: string, status: object) => batch().patchNamespacedJobStatus({ namespace, name, body: { status } }, mergePatch);
  const heard = (uid: string, event: string) => hook.counts().get(`${uid} ${event}`) ?? 0;

  const custom = () => admin.makeApiClient(CustomObjectsApi);
  const createCommitStatus = async (namespace: string): Promise<void> => {
    const objects = [
      { plural: "gitrepos", body: { apiVersion: `${GROUP}/${VERSION}`, kind: "GitRepo", metadata: { name: "shop" }, spec: { github: { owner: "acme", name: namespace, apiUrl: front.url }, credentialsRef: { secretKeyRef: { name: "github", key: "credentials" } } } } },
      { plural: "commitstatuses", body: { apiVersion: `${GROUP}/${VERSION}`, kind: "CommitStatus", metadata: { name: "deploy" }, spec: { gitRepoRef: { name: "shop" }, sha: SHA, name: "deploy/shop", description: "rolling out", phase: "in_progress", url: "https://argocd.example.com/app" } } },
    ];
    for (const { plural, body } of objects) await custom().createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural, body });
  };
  const finishCommitStatus = (namespace: string) =>
    custom().patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: "commitstatuses", name: "deploy", body: { spec: { phase: "success", description: "rolled out" } } }, mergePatch);
  const commitStatus = async (namespace: string): Promise<CommitStatusSeen["status"]> =>
    ((await custom().getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: "commitstatuses", name: "deploy" })) as CommitStatusSeen).status ?? {};
  /** Each namespace's GitRepo points at a repository of its own name. */
  const checkRunsOf = (namespace: string) => github.checkRuns.filter((r) => r.repo === `acme/${namespace}`);

  beforeAll(async () => {
    server = await startApiServer(script ?? "");
    admin = server.admin();
    const crds = readKustomization(join(REPOSITORY_ROOT, "infra", "crds"));
    await applyObjects(admin, crds);
    await waitForCrds(admin, crds);
    // The standalone manifests' namespace, identity and RBAC, as `kubectl apply -k infra/standalone` creates them.
    await applyObjects(admin, ["namespace.yaml", "serviceaccount.yaml", "clusterrole.yaml", "lease-role.yaml", "secret-reader.yaml"].flatMap((file) => readManifest(join(STANDALONE, file))));
    await waitForAccess(server.impersonating(SERVICE_ACCOUNT), { verb: "patch", group: GROUP, resource: "commitstatuses", subresource: "status" });
    await admin.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: "kube-feedback", body: { metadata: { name: "hook" }, stringData: { hmac: "hook-signing-key" } } });
    const repos = ["acme/ci-once", "acme/ci-restart", "acme/ci-resync"];
    github = await startFakeGitHub({ repos, app: { id: 515, publicKey, installations: [{ id: 9, repos }] } });
    // The GitRepo CRD takes https API URLs only.
    front = await startTlsFront(github.apiUrl);
    hook = await new HoldingWebhook().start();
    dir = mkdtempSync(join(tmpdir(), "kube-feedback-run-"));
    writeFileSync(join(dir, "kubeconfig"), server.impersonating(SERVICE_ACCOUNT).exportConfig());
  }, 180_000);

  afterAll(async () => {
    await hook?.stop();
    await front?.stop();
    await github?.stop();
    await server?.stop();
  });

  it("tells created, started and finished once each for Jobs run through the API, and syncs a CommitStatus to GitHub and writes it back", async () => {
    // Prepare
    await workloads("ci-once");
    const cli = run("ci-once", join(dir, "state-once"));

    // Act: three Jobs created, started and finished by status patches; a CommitStatus created, then finished.
    const uids: string[] = [];
    for (const name of ["build-1", "build-2", "build-3"]) {
      uids.push(await createJob("ci-once", name));
      await patchJob("ci-once", name, STARTED);
      await patchJob("ci-once", name, FINISHED);
    }
    await createCommitStatus("ci-once");
    await waitFor(cli, "CommitStatus synced", async () => (await commitStatus("ci-once"))?.isSynced === true);
    await finishCommitStatus("ci-once");
    await waitFor(cli, "CommitStatus finished", async () => (await commitStatus("ci-once"))?.observedGeneration === 2);
    await waitFor(cli, "every callback heard", () => uids.every((uid) => LIFECYCLE.every((event) => heard(uid, event) > 0)));
    cli.kill("SIGTERM");
    const end = await cli.result;

    // Assess
    expect(end.status).toBe(0);
    expect([...hook.counts()].filter(([key]) => uids.some((uid) => key.startsWith(uid)))).toEqual(uids.flatMap((uid) => LIFECYCLE.map((event) => [`${uid} ${event}`, 1])));
    github.assertNoViolations();
    const runs = checkRunsOf("ci-once");
    expect(runs.map((r) => [r.head_sha, r.name, r.status, r.conclusion])).toEqual([[SHA, "deploy/shop", "completed", "success"]]);
    expect(await commitStatus("ci-once")).toMatchObject({ isSynced: true, phase: "success", observedGeneration: 2, provider: { github: { checkRunId: runs[0]!.id } } });
  }, 240_000);

  it("after a SIGKILL in the middle and a restart on the same directory, hears every callback, twice only the one in flight, and syncs what changed meanwhile", async () => {
    // Prepare: one Job run through and a CommitStatus synced, then a second Job created.
    const ns = "ci-restart";
    await workloads(ns);
    const stateDir = join(dir, "state-restart");
    const killed = run(ns, stateDir);
    const uids: Record<string, string> = {};
    const step = async (cli: CliProcess, name: string, event: (typeof LIFECYCLE)[number], act: () => Promise<unknown>) => {
      await act();
      await waitFor(cli, `${name} ${event} heard`, () => heard(uids[name]!, event) > 0);
    };
    uids["build-1"] = await createJob(ns, "build-1");
    await waitFor(killed, "build-1 created heard", () => heard(uids["build-1"]!, "created") > 0);
    await step(killed, "build-1", "started", () => patchJob(ns, "build-1", STARTED));
    await step(killed, "build-1", "finished", () => patchJob(ns, "build-1", FINISHED));
    await createCommitStatus(ns);
    await waitFor(killed, "CommitStatus synced", async () => (await commitStatus(ns))?.isSynced === true);
    uids["build-2"] = await createJob(ns, "build-2");
    await waitFor(killed, "build-2 created heard", () => heard(uids["build-2"]!, "created") > 0);
    const inFlight = hook.holdAt(1);
    await patchJob(ns, "build-2", STARTED);
    const held = await inFlight;

    // Act: killed while build-2's started call waits for its answer; while nothing runs, Jobs move on and the CommitStatus
    // finishes; then started again on the same directory, and a Job started and finished while it runs.
    killed.kill("SIGKILL");
    const end = await killed.result;
    await patchJob(ns, "build-2", FINISHED);
    uids["build-3"] = await createJob(ns, "build-3");
    await patchJob(ns, "build-3", STARTED);
    await patchJob(ns, "build-3", FINISHED);
    uids["build-4"] = await createJob(ns, "build-4");
    await finishCommitStatus(ns);
    const restarted = run(ns, stateDir);
    await waitFor(restarted, "build-4 created heard", () => heard(uids["build-4"]!, "created") > 0);
    await step(restarted, "build-4", "started", () => patchJob(ns, "build-4", STARTED));
    await step(restarted, "build-4", "finished", () => patchJob(ns, "build-4", FINISHED));
    await waitFor(restarted, "every callback heard", () => Object.values(uids).every((uid) => LIFECYCLE.every((event) => heard(uid, event) > 0)));
    await waitFor(restarted, "CommitStatus finished", async () => (await commitStatus(ns))?.observedGeneration === 2);
    restarted.kill("SIGTERM");
    const stopped = await restarted.result;

    // Assess
    expect(end.signal).toBe("SIGKILL");
    expect(held).toEqual({ event: "started", uid: uids["build-2"], name: "build-2" });
    expect(stopped.status).toBe(0);
    const counts = [...hook.counts()].filter(([key]) => Object.values(uids).some((uid) => key.startsWith(uid)));
    expect(counts.map(([key]) => key).sort()).toEqual(Object.values(uids).flatMap((uid) => LIFECYCLE.map((event) => `${uid} ${event}`)).sort());
    expect(counts.filter(([, count]) => count > 1)).toEqual([[`${uids["build-2"]} started`, 2]]);
    github.assertNoViolations();
    const runs = checkRunsOf(ns);
    expect(runs.map((r) => [r.head_sha, r.name, r.status, r.conclusion])).toEqual([[SHA, "deploy/shop", "completed", "success"]]);
    expect(await commitStatus(ns)).toMatchObject({ isSynced: true, phase: "success", observedGeneration: 2, provider: { github: { checkRunId: runs[0]!.id } } });
  }, 240_000);

  it("resyncs on its schedule while it leads: a check run changed in GitHub is written back as the CommitStatus says", async () => {
    // Prepare: a CommitStatus synced (by a run whose resync never comes), then its check run marked failed behind
    // kube-feedback's back while nothing runs. Apart, so that no resync races the first sync of the new resource.
    const ns = "ci-resync";
    await workloads(ns);
    const stateDir = join(dir, "state-resync");
    const first = run(ns, stateDir);
    await createCommitStatus(ns);
    await waitFor(first, "CommitStatus synced", async () => (await commitStatus(ns))?.isSynced === true);
    first.kill("SIGTERM");
    await first.result;
    const [checkRun] = checkRunsOf(ns);
    Object.assign(checkRun!, { status: "completed", conclusion: "failure" });

    // Act: nothing changes in the cluster; the restart's list finds the resource in sync, only the resync reads GitHub.
    const cli = run(ns, stateDir, "--resync-interval", "1");
    await waitFor(cli, "drift corrected", async () => (await commitStatus(ns))?.conditions?.[0]?.reason === "DriftCorrected");
    cli.kill("SIGTERM");
    const end = await cli.result;

    // Assess
    expect(end.status).toBe(0);
    github.assertNoViolations();
    expect(checkRunsOf(ns).map((r) => [r.id, r.status, r.conclusion])).toEqual([[checkRun!.id, "in_progress", null]]);
    expect(await commitStatus(ns)).toMatchObject({ isSynced: true, phase: "in_progress", observedGeneration: 1 });
  }, 240_000);
});
