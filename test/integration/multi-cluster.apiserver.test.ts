import { join } from "node:path";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { Relay } from "../../relay/relay";
import { parseConfig } from "../../shared/config";
import { logger } from "../../shared/log";
import { eventually } from "../helpers/eventually";
import { heldMessages, type HeldMessage } from "../helpers/fauxqs-inspect";
import { applyObjects, findApiServerScript, readKustomization, REPOSITORY_ROOT, startApiServer, waitForCrds, type RealApiServer } from "../helpers/apiserver";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";
import { startTlsFront, type TlsFront } from "../helpers/tls-front";

const script = findApiServerScript("multi-cluster.apiserver.test.ts");
const GROUP = "commit-status.argoproj.io";
const VERSION = "v1alpha1";
const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const WATCH = [{ group: GROUP, version: VERSION, resource: "commitstatuses", namespaces: [] as string[] }];
const { privateKey, publicKey } = appKeyPair();

/** The same names in every cluster; only the repository the GitRepo points at differs. */
const objects = (repo: string, apiUrl: string) => [
  {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "GitRepo",
    metadata: { name: "shop", namespace: "default" },
    spec: { github: { owner: "acme", name: repo, apiUrl }, credentialsRef: { ssmParameter: "/kube-feedback/github" } },
  },
  {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "CommitStatus",
    metadata: { name: "deploy", namespace: "default" },
    spec: { gitRepoRef: { name: "shop" }, sha: SHA, name: "deploy/shop", description: "rolling out", phase: "in_progress", url: "https://argocd.example.com/app" },
  },
];

const statusIn = async (kc: KubeConfig) =>
  ((await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: "default", plural: "commitstatuses", name: "deploy" })) as {
    status?: { isSynced?: boolean; provider?: { github?: { checkRunId?: number } } };
  }).status ?? {};

describe.skipIf(script === undefined)("CommitStatus sync across clusters, on two real kube-apiservers", () => {
  let a: RealApiServer;
  let b: RealApiServer;
  let github: FakeGitHubServer;
  let front: TlsFront;
  let stack: LocalStack;
  const relays: Relay[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([startApiServer(script ?? ""), startApiServer(script ?? "")]);
    github = await startFakeGitHub({ repos: ["acme/shop-a", "acme/shop-b"], app: { id: 515, publicKey, installations: [{ id: 9, repos: ["acme/shop-a", "acme/shop-b"] }] } });
    // The GitRepo CRD takes https API URLs only; the fake GitHub's certificate is self-signed.
    front = await startTlsFront(github.apiUrl);
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const crds = readKustomization(join(REPOSITORY_ROOT, "infra", "crds"));
    for (const server of [a!, b!]) {
      await applyObjects(server.admin(), crds);
      await waitForCrds(server.admin(), crds);
    }
    await applyObjects(a!.admin(), objects("shop-a", front.url));
    await applyObjects(b!.admin(), objects("shop-b", front.url));
    process.env.KF_MULTI_KUBECONFIG_A = a!.admin().exportConfig();
    process.env.KF_MULTI_KUBECONFIG_B = b!.admin().exportConfig();
    const config = parseConfig({
      cluster: "cluster-a",
      watch: WATCH,
      processing: { maxRetries: 0 },
      kubernetes: { kubeconfig: "env:KF_MULTI_KUBECONFIG_A", clusters: { "cluster-b": { kubeconfig: "env:KF_MULTI_KUBECONFIG_B" } } },
    });
    stack = await startLocalStack({ config, process: { credentials: async () => JSON.stringify({ app: { appId: 515, privateKey, installationId: 9 } }) } });
    // One relay per cluster, each in its own cluster, all feeding the one deployment.
    for (const [cluster, server] of [["cluster-a", a!], ["cluster-b", b!]] as const) {
      const relay = new Relay({ cluster, watch: WATCH, sink: stack.sink, log: logger });
      relays.push(relay);
      await relay.start(server.admin());
    }
  }, 180_000);

  afterAll(async () => {
    for (const relay of relays) await relay.stop();
    await stack?.stop();
    await front?.stop();
    await github?.stop();
    delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    await Promise.all([a?.stop(), b?.stop()]);
    delete process.env.KF_MULTI_KUBECONFIG_A;
    delete process.env.KF_MULTI_KUBECONFIG_B;
  });

  it("lands each cluster's status in its own repository and writes it back to its own cluster", async () => {
    // Act
    await eventually(async () => (await statusIn(a.admin())).isSynced === true && (await statusIn(b.admin())).isSynced === true, 60_000, 200);

    // Assess
    github.assertNoViolations();
    const byRepo = Object.fromEntries(github.checkRuns.map((r) => [r.repo, r]));
    expect(github.checkRuns.map((r) => r.repo).sort()).toEqual(["acme/shop-a", "acme/shop-b"]);
    expect((await statusIn(a.admin())).provider?.github?.checkRunId).toBe(byRepo["acme/shop-a"]!.id);
    expect((await statusIn(b.admin())).provider?.github?.checkRunId).toBe(byRepo["acme/shop-b"]!.id);
  }, 90_000);

  it("dead-letters a CommitStatus of a cluster it has no access to, with the reason, and syncs nothing for it", async () => {
    // Prepare: a third cluster's relay, whose object has the same names as the others'.
    const stranger = new Relay({ cluster: "cluster-c", watch: WATCH, sink: stack.sink, log: logger });
    const [, commitStatus] = objects("shop-c", front.url);
    const writesBefore = github.writes.length;

    // Act
    await stranger.ship("ADDED", { ...commitStatus!, metadata: { ...commitStatus!.metadata, uid: "c-deploy-uid", resourceVersion: "1", generation: 1 } });
    await stranger.flush();
    const reasons = async () =>
      ((await heldMessages(stack.emulators.sqsEndpoint, stack.emulators.dlqUrl)) as Array<HeldMessage & { messageAttributes?: Record<string, { StringValue?: string }> }>).map(
        (m) => m.messageAttributes?.reason?.StringValue,
      );
    await eventually(async () => (await reasons()).length > 0, 30_000);

    // Assess
    expect(await reasons()).toEqual(['no Kubernetes access for cluster "cluster-c"']);
    expect(github.writes.length).toBe(writesBefore);
    expect(github.checkRuns).toHaveLength(2);
  }, 60_000);
});
