import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { Log } from "../../../shared/log";
import { PipelinePhase, type PipelineInfo, type Stage } from "../../../shared/pipeline/types";
import { createReceivers, LifecycleEvent, type ReceiverStore, type ServiceContext } from "../../../shared/receivers";
import { startFakeGitHub, type FakeGitHubServer } from "../../helpers/fake-scm";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const APP_ID = 4343;
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;

class MemoryStore implements ReceiverStore {
  readonly items = new Map<string, Record<string, unknown>>();
  async get(key: string) {
    return structuredClone(this.items.get(key));
  }
  async put(key: string, value: Record<string, unknown>) {
    this.items.set(key, structuredClone(value));
  }
}

const stage = (name: string, phase: PipelinePhase): Stage => ({ name, phase });

describe("scm receiver: progress posts when a stage finishes", () => {
  let github: FakeGitHubServer;
  let host = "";

  beforeAll(async () => {
    process.env.SCM_PROGRESS_APP_KEY = privateKey;
    github = await startFakeGitHub({ repos: ["example/shop"], app: { id: APP_ID, publicKey, installations: [{ id: 9, repos: ["example/shop"] }] } });
    host = new URL(github.url).host;
  });
  afterAll(async () => {
    await github.stop();
  });

  const run = (stages: Stage[], phase = PipelinePhase.Running): PipelineInfo => ({
    id: "prod/ci/build-x7k2p",
    uid: "uid-progress",
    cluster: "prod",
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    name: "build-x7k2p",
    namespace: "ci",
    phase,
    stages,
    labels: {},
    annotations: {},
    git: { provider: "github", host, owner: "example", repo: "shop", sha: SHA },
  });

  it("sends no request when a stage only started, one when a stage finished", async () => {
    // Prepare
    const config = parseConfig({
      cluster: "prod",
      watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
      receivers: [{ name: "checks", type: "scm", options: { provider: "github", baseUrl: github.apiUrl, app: { appId: APP_ID, privateKey: "env:SCM_PROGRESS_APP_KEY", installationId: 9 } } }],
    });
    const receiver = createReceivers(config)[0]!.receiver;
    const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store: new MemoryStore() };
    await receiver.initialize?.(sc);
    await receiver.whenStarted({ log, event: LifecycleEvent.Started }, run([stage("build", PipelinePhase.Running)]));
    const writes = () => github.requests.filter((r) => r.path.includes("/check-runs")).length;
    const afterStart = writes();

    // Act
    await receiver.updateProgress({ log, event: LifecycleEvent.Progress }, run([stage("build", PipelinePhase.Running), stage("test", PipelinePhase.Pending)]));
    const afterStageStarted = writes();
    await receiver.updateProgress({ log, event: LifecycleEvent.Progress }, run([stage("build", PipelinePhase.Succeeded), stage("test", PipelinePhase.Running)]));
    const afterStageFinished = writes();

    // Assess
    expect(afterStart).toBe(1);
    expect(afterStageStarted).toBe(afterStart);
    expect(afterStageFinished).toBe(afterStart + 1);
  });
});

