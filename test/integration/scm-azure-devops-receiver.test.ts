/**
 * The `scm` receiver with `provider: azure-devops` against the fake Azure
 * DevOps server: what each lifecycle event sends, the pull request status,
 * runs of another collection, and a rate limit that pauses the token.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import type { Log } from "../../shared/log";
import { PipelinePhase, type PipelineInfo } from "../../shared/pipeline/types";
import { transientMemory, type RunMemory } from "../../shared/pipeline/receiver";
import { createReceivers, LifecycleEvent, type ReceiverContext, type ReceiverStore, type ServiceContext } from "../../shared/receivers";
import { startFakeAzureDevOps, type FakeAzureDevOpsServer } from "../helpers/fake-scm";
import { MemoryReceiverStore } from "../helpers/memory-receiver-store";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const TOKEN = "azdo-receiver-pat";
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;
/** A call's context; calls for one run share its `memory`, as the pipeline handler keeps it in the run item. */
const ctx = (event: LifecycleEvent, memory: RunMemory = transientMemory()): ReceiverContext => ({ log, event, memory });

describe("Integration: scm receiver on Azure DevOps", () => {
  let server: FakeAzureDevOpsServer;

  beforeAll(async () => {
    server = await startFakeAzureDevOps({ collection: "acme", repos: [{ project: "Shop", name: "shop-api", id: "b1f5e0c2-0d5e-4a55-9f1c-1c1b2b0c9e11", pullRequests: [17] }], tokens: [TOKEN] });
    process.env.AZDO_RECEIVER_TOKEN = TOKEN;
  });
  afterEach(() => {
    server.clearRequests();
    server.statuses.length = 0;
  });
  afterAll(() => server.stop());

  /** A receiver as the process function builds it: options checked, secrets read, provider connected. */
  const receiver = async (store: ReceiverStore = new MemoryReceiverStore()) => {
    const config = parseConfig({
      cluster: "prod",
      watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
      receivers: [{ name: "azdo", type: "scm", options: { provider: "azure-devops", organizationUrl: server.organizationUrl, token: "env:AZDO_RECEIVER_TOKEN" } }],
    });
    const built = createReceivers(config)[0]!.receiver;
    const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store };
    await built.initialize?.(sc);
    return built;
  };

  const run = (phase: PipelinePhase, extra: { uid?: string; pr?: string; collection?: string } = {}): PipelineInfo => ({
    id: "prod/ci/build-x7k2p",
    uid: extra.uid ?? "uid-1",
    cluster: "prod",
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    name: "build-x7k2p",
    namespace: "ci",
    phase,
    stages: [],
    labels: { "tekton.dev/pipeline": "build" },
    annotations: {},
    git: {
      repoUrl: `${server.url}/${extra.collection ?? "acme"}/Shop/_git/shop-api`,
      host: new URL(server.url).host,
      owner: `${extra.collection ?? "acme"}/Shop/_git`,
      repo: "shop-api",
      sha: SHA,
      ...(extra.pr ? { pr: extra.pr } : {}),
    },
  });

  const sent = () => server.writes.map((r) => `${r.path.includes("/pullRequests/") ? "pr" : "commit"} ${(r.body as { state: string }).state}`);

  it("posts pending when the run is created and started, succeeded when it finishes, and nothing for a repeat", async () => {
    // Prepare
    const azdo = await receiver();

    // Act
    const memory = transientMemory();
    await azdo.whenCreated(ctx(LifecycleEvent.Created, memory), run(PipelinePhase.Pending));
    await azdo.whenStarted(ctx(LifecycleEvent.Started, memory), run(PipelinePhase.Running));
    await azdo.whenFinished(ctx(LifecycleEvent.Finished, memory), run(PipelinePhase.Succeeded));
    await azdo.whenFinished(ctx(LifecycleEvent.Finished, memory), run(PipelinePhase.Succeeded));

    // Assess
    expect(sent()).toEqual(["commit pending", "commit pending", "commit succeeded"]);
    expect(server.writes.map((r) => (r.body as { description: string }).description)).toEqual([
      expect.stringMatching(/^build-x7k2p: /),
      expect.stringMatching(/^build-x7k2p: /),
      expect.stringMatching(/^build-x7k2p: /),
    ]);
    expect(server.statusesOf("Shop/shop-api", SHA)[0]).toMatchObject({ state: "succeeded", context: { name: "ci/build", genre: "kube-feedback" } });
  });

  it.each([
    { phase: PipelinePhase.Failed, state: "failed" },
    { phase: PipelinePhase.Cancelled, state: "error" },
  ])("posts $state on the commit and the pull request when a pull request's run ends $phase", async ({ phase, state }) => {
    // Prepare
    const azdo = await receiver();

    // Act
    await azdo.whenFinished(ctx(LifecycleEvent.Finished), run(phase, { pr: "17" }));

    // Assess
    expect(sent()).toEqual([`commit ${state}`, `pr ${state}`]);
    expect(server.pullRequestStatusesOf("Shop/shop-api", 17)).toHaveLength(1);
  });

  it("sends nothing for a run in another collection on the same server", async () => {
    // Prepare
    const azdo = await receiver();

    // Act
    await azdo.whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Succeeded, { collection: "other" }));

    // Assess
    expect(server.requests).toHaveLength(0);
  });

  it("pauses the token on a 429: the next run's write waits without a request", async () => {
    // Prepare
    const store = new MemoryReceiverStore();
    const azdo = await receiver(store);
    server.failNext({ status: 429, headers: { "retry-after": "120" }, body: { message: "TF400733: Request was blocked due to exceeding usage of resource 'ATCPU'." } });

    // Act
    const first = await azdo.whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Succeeded)).catch((e: unknown) => e);
    const second = await (await receiver(store)).whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Failed, { uid: "uid-2" })).catch((e: unknown) => e);

    // Assess
    expect(first).toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 120 });
    expect(second).toMatchObject({ name: "CredentialPausedError" });
    expect(server.requests).toHaveLength(1);
  });
});
