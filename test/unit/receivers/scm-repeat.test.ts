import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { Log } from "../../../shared/log";
import { transientMemory, type RunMemory } from "../../../shared/pipeline/receiver";
import { PipelinePhase, type PipelineInfo } from "../../../shared/pipeline/types";
import { createReceivers, LifecycleEvent, type ReceiverContext, type ServiceContext } from "../../../shared/receivers";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../../helpers/fake-scm";
import { MemoryReceiverStore } from "../../helpers/memory-receiver-store";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const APP_ID = 4545;
const { privateKey, publicKey } = appKeyPair();
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;


/** A finished call; `repeat`: it may repeat one whose record, and the memory in it, was lost. */
const finished = (memory: RunMemory, repeat = false): ReceiverContext => ({ log, event: LifecycleEvent.Finished, memory, ...(repeat ? { repeat } : {}) });

describe("scm receiver: a call that may repeat a lost one", () => {
  let github: FakeGitHubServer;
  let host = "";

  beforeAll(async () => {
    process.env.SCM_REPEAT_APP_KEY = privateKey;
    process.env.SCM_REPEAT_TOKEN = "ghp_repeat";
    github = await startFakeGitHub({ repos: ["example/shop"], tokens: ["ghp_repeat"], app: { id: APP_ID, publicKey, installations: [{ id: 8, repos: ["example/shop"] }] } });
    host = new URL(github.url).host;
  });
  afterAll(async () => {
    await github.stop();
  });

  const run = (uid: string): PipelineInfo => ({
    id: "prod/ci/build-x7k2p",
    uid,
    cluster: "prod",
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    name: "build-x7k2p",
    namespace: "ci",
    phase: PipelinePhase.Succeeded,
    stages: [{ name: "build", phase: PipelinePhase.Succeeded }],
    labels: {},
    annotations: {},
    git: { provider: "github", host, owner: "example", repo: "shop", sha: SHA },
  });

  const receiverWith = async (options: Record<string, unknown>) => {
    const config = parseConfig({ cluster: "prod", watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }], receivers: [{ name: "checks", type: "scm", options }] });
    const receiver = createReceivers(config)[0]!.receiver;
    const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store: new MemoryReceiverStore() };
    await receiver.initialize?.(sc);
    return receiver;
  };
  const token = () => ({ provider: "github", baseUrl: github.apiUrl, token: "env:SCM_REPEAT_TOKEN" });
  const app = () => ({ provider: "github", baseUrl: github.apiUrl, app: { appId: APP_ID, privateKey: "env:SCM_REPEAT_APP_KEY", installationId: 8 } });

  it.each([
    ["a token's commit status", token],
    ["an App's check run", app],
  ])("reads %s back instead of writing it again when the memory of the first post was lost with its record", async (_name, options) => {
    // Prepare: the call was made, then the process died before recording it (and the memory in the record).
    const receiver = await receiverWith(options());
    await receiver.whenFinished(finished(transientMemory()), run("uid-repeat"));
    const writes = github.writes.length;
    const lost = transientMemory();

    // Act
    await receiver.whenFinished(finished(lost, true), run("uid-repeat"));

    // Assess
    expect(github.writes.length).toBe(writes);
    expect(lost.value).toMatchObject({ phase: "success" });
  });

  it("writes its own check run when the one on the commit is another run's", async () => {
    // Prepare
    const receiver = await receiverWith(app());
    await receiver.whenFinished(finished(transientMemory()), run("uid-earlier"));
    const checkRuns = github.checkRuns.length;

    // Act
    await receiver.whenFinished(finished(transientMemory(), true), run("uid-later"));

    // Assess
    expect(github.checkRuns.length).toBe(checkRuns + 1);
  });
});
