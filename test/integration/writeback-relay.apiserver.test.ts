import { join } from "node:path";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig, type FeedbackConfig } from "../../shared/config";
import { makeOperation, operationGroupId, operationId, serializeOperation } from "../../shared/operations";
import { createResyncHandler } from "../../shared/process/resync";
import { DynamoStateStore, StoreKey } from "../../shared/store";
import { eventually } from "../helpers/eventually";
import { heldMessages } from "../helpers/fauxqs-inspect";
import {
  applyObjects,
  findApiServerScript,
  readKustomization,
  readManifest,
  REPOSITORY_ROOT,
  startApiServer,
  waitForAccess,
  waitForCrds,
  type RealApiServer,
} from "../helpers/apiserver";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";
import { startTlsFront, type TlsFront } from "../helpers/tls-front";

const script = findApiServerScript("writeback-relay.apiserver.test.ts");
const GROUP = "commit-status.argoproj.io";
const VERSION = "v1alpha1";
const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const NAMESPACE = "apps";
/** The relay's own identity: the ServiceAccount infra/relay binds its roles to. */
const RELAY_USER = "system:serviceaccount:kube-feedback:relay";
const { privateKey, publicKey } = appKeyPair();

type Status = {
  isSynced?: boolean;
  phase?: string;
  description?: string;
  observedGeneration?: number;
  syncFailure?: { message?: string } | null;
  provider?: { github?: { checkRunId?: number } };
  conditions?: Array<{ reason?: string; message?: string }>;
};

const gitRepo = (name: string, apiUrl: string, ssmParameter = "/kube-feedback/github") => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: "GitRepo",
  metadata: { name, namespace: NAMESPACE },
  spec: { github: { owner: "acme", name: "shop", apiUrl }, credentialsRef: { ssmParameter } },
});

const commitStatus = (name: string, gitRepoName: string, phase = "in_progress") => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: "CommitStatus",
  metadata: { name, namespace: NAMESPACE },
  spec: { gitRepoRef: { name: gitRepoName }, sha: SHA, name: `deploy/${name}`, description: "rolling out", phase, url: "https://argocd.example.com/app" },
});

describe.skipIf(script === undefined)("CommitStatus sync through the relay (kubernetes.via: relay), on a real kube-apiserver", () => {
  let server: RealApiServer;
  let github: FakeGitHubServer;
  let front: TlsFront;
  let stack: LocalStack;
  let config: FeedbackConfig;
  let admin: KubeConfig;
  /** Every use of the Kubernetes access handed to the process side: it must stay at zero. */
  let kubeCalls = 0;
  const noKube = async (): Promise<KubeConfig> => {
    kubeCalls++;
    throw new Error("the process side has no Kubernetes access");
  };
  const credentials = async () => JSON.stringify({ app: { appId: 616, privateKey, installationId: 11 } });

  const api = () => admin.makeApiClient(CustomObjectsApi);
  const object = async (plural: string, name: string) =>
    (await api().getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural, name })) as { metadata: { uid: string }; status?: Status };
  const statusOf = async (name: string): Promise<Status> => (await object("commitstatuses", name)).status ?? {};
  const create = (body: object) => applyObjects(admin, [body as never]);
  const runsFor = (name: string) => github.checkRuns.filter((r) => r.name === `deploy/${name}`);
  const deadLetters = () => heldMessages(stack.emulators.sqsEndpoint, stack.emulators.dlqUrl);
  const queuedOperations = () => heldMessages(stack.emulators.sqsEndpoint, stack.emulators.operationsQueueUrl);

  beforeAll(async () => {
    server = await startApiServer(script ?? "");
    admin = server.admin();
    github = await startFakeGitHub({ repos: ["acme/shop"], app: { id: 616, publicKey, installations: [{ id: 11, repos: ["acme/shop"] }] } });
    // The GitRepo CRD takes https API URLs only; the fake GitHub's certificate is self-signed.
    front = await startTlsFront(github.apiUrl);
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const crds = readKustomization(join(REPOSITORY_ROOT, "infra", "crds"));
    await applyObjects(admin, crds);
    await waitForCrds(admin, crds);
    // The relay's RBAC exactly as infra/relay and its write-back component grant it.
    await applyObjects(admin, [
      ...readManifest(join(REPOSITORY_ROOT, "infra", "relay", "base", "clusterrole.yaml")),
      ...readManifest(join(REPOSITORY_ROOT, "infra", "relay", "components", "write-back", "rbac.yaml")),
    ]);
    await applyObjects(admin, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }]);
    const relayKube = server.impersonating(RELAY_USER);
    await waitForAccess(relayKube, { verb: "patch", group: GROUP, resource: "commitstatuses", subresource: "status", namespace: NAMESPACE });

    config = parseConfig({
      cluster: "private",
      watch: [
        { group: GROUP, version: VERSION, resource: "commitstatuses", namespaces: [NAMESPACE] },
        { group: GROUP, version: VERSION, resource: "gitrepos", namespaces: [NAMESPACE] },
      ],
      processing: { maxRetries: 2, backoff: { baseSeconds: 1, capSeconds: 1 } },
      kubernetes: { via: "relay" },
    });
    stack = await startLocalStack({
      config,
      process: {
        kube: noKube,
        credentials: async (reference) => {
          if (reference !== "ssm:/kube-feedback/github") throw new Error("ParameterNotFound");
          return credentials();
        },
        writeBack: { answerWaitMs: 6_000 },
      },
    });
    await create(gitRepo("shop", front.url));
    await stack.relay.start(relayKube);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await front?.stop();
    await github?.stop();
    delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    await server?.stop();
  });

  it("syncs a CommitStatus to GitHub and writes its status back through the relay's patch, the process side never touching Kubernetes", async () => {
    // Act
    await create(commitStatus("deploy", "shop"));
    await eventually(async () => (await statusOf("deploy")).isSynced === true, 60_000, 200);

    // Assess
    github.assertNoViolations();
    const runs = runsFor("deploy");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ head_sha: SHA, status: "in_progress" });
    expect(await statusOf("deploy")).toMatchObject({ phase: "in_progress", observedGeneration: 1, provider: { github: { checkRunId: runs[0]!.id } } });
    expect(stack.relay.writeBack?.stats.applied).toBeGreaterThanOrEqual(1);
    expect(kubeCalls).toBe(0);
  }, 90_000);

  it("updates the same check run when the phase changes", async () => {
    // Act
    await create({ ...commitStatus("deploy", "shop", "success"), spec: { ...commitStatus("deploy", "shop", "success").spec, description: "rolled out" } });
    await eventually(async () => (await statusOf("deploy")).phase === "success", 60_000, 200);

    // Assess
    expect(runsFor("deploy")).toHaveLength(1);
    expect(runsFor("deploy")[0]).toMatchObject({ status: "completed", conclusion: "success" });
    expect((await statusOf("deploy")).observedGeneration).toBe(2);
    expect(kubeCalls).toBe(0);
  }, 90_000);

  it("makes a CommitStatus that arrives before its GitRepo wait for it, then syncs it, with nothing dead-lettered", async () => {
    // Prepare
    const store = new DynamoStateStore({ tableName: stack.emulators.tableName });
    await create(commitStatus("early", "late"));
    // The relay was asked for the GitRepo and found none: the event now waits.
    await eventually(async () => (await store.get<{ askedAt?: number }>(StoreKey.gitRepo("private", NAMESPACE, "late")))?.data.askedAt !== undefined, 30_000, 100);

    // Act
    await create(gitRepo("late", front.url));
    await eventually(async () => (await statusOf("early")).isSynced === true, 60_000, 200);

    // Assess
    expect(runsFor("early")).toHaveLength(1);
    expect(await deadLetters()).toEqual([]);
    expect(kubeCalls).toBe(0);
  }, 90_000);

  it("reports a GitRepo the relay never sends as not found, once the answer is due, with nothing dead-lettered", async () => {
    // Act
    await create(commitStatus("orphan", "nope", "queued"));
    await eventually(async () => (await statusOf("orphan")).isSynced === false, 60_000, 200);

    // Assess
    expect((await statusOf("orphan")).syncFailure?.message).toMatch(/GitRepo apps\/nope not found/);
    expect(runsFor("orphan")).toHaveLength(0);
    expect(await deadLetters()).toEqual([]);
  }, 90_000);

  it("re-syncs the CommitStatuses a fixed GitRepo blocked: the relay re-sends them on request", async () => {
    // Prepare: credentials that cannot be read block the CommitStatus.
    await create(gitRepo("locked", front.url, "/kube-feedback/missing"));
    await create(commitStatus("blocked", "locked"));
    await eventually(async () => (await statusOf("blocked")).isSynced === false, 60_000, 200);
    const generation = (await object("commitstatuses", "blocked")) as { metadata: { generation?: number } };

    // Act: only the GitRepo changes.
    await create(gitRepo("locked", front.url));
    await eventually(async () => (await statusOf("blocked")).isSynced === true, 60_000, 200);

    // Assess
    expect(runsFor("blocked")).toHaveLength(1);
    expect(((await object("commitstatuses", "blocked")) as { metadata: { generation?: number } }).metadata.generation).toBe(generation.metadata.generation);
    expect(kubeCalls).toBe(0);
  }, 90_000);

  it("overwrites drift found by the scheduled resync, which asks the relay instead of listing", async () => {
    // Prepare
    await stack.poller.drained(25);
    const run = runsFor("deploy")[0]!;
    run.status = "completed";
    run.conclusion = "failure";
    const resync = createResyncHandler({
      config,
      store: new DynamoStateStore({ tableName: stack.emulators.tableName }),
      kube: noKube,
      credentials,
      writeBack: { answerWaitMs: 6_000 },
    });

    // Act
    const report = await resync();
    await eventually(async () => runsFor("deploy")[0]!.conclusion === "success", 60_000, 200);
    await eventually(async () => (await statusOf("deploy")).conditions?.[0]?.reason === "DriftCorrected", 60_000, 200);

    // Assess
    expect(report).toMatchObject({ listed: 0, relisted: 1 });
    expect((await statusOf("deploy")).conditions?.[0]?.message).toMatch(/^drift: phase changed in the SCM/);
    expect(kubeCalls).toBe(0);
  }, 90_000);

  it("never applies an operation for another cluster: it is refused and deleted", async () => {
    // Prepare
    await stack.poller.drained(25);
    const { metadata } = await object("commitstatuses", "deploy");
    const before = await statusOf("deploy");
    const refused = stack.relay.writeBack!.stats.refused;
    const foreign = makeOperation("elsewhere", { op: "patchStatus", namespace: NAMESPACE, name: "deploy", uid: metadata.uid, status: { description: "written from another cluster" } });
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

    // Act
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.emulators.operationsQueueUrl,
        MessageBody: serializeOperation(foreign),
        MessageGroupId: operationGroupId(foreign),
        MessageDeduplicationId: operationId(foreign),
      }),
    );
    sqs.destroy();
    await eventually(() => stack.relay.writeBack!.stats.refused > refused, 30_000, 100);
    await eventually(async () => (await queuedOperations()).length === 0, 30_000, 100);

    // Assess
    expect((await statusOf("deploy")).description).toBe(before.description);
    expect((await statusOf("deploy")).description).not.toBe("written from another cluster");
  }, 60_000);
});
