import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { Log } from "../../../shared/log";
import { PipelinePhase, type PipelineInfo, type Stage } from "../../../shared/pipeline/types";
import { planClaims, settleAssignments } from "../../../shared/pipeline/deliveries";
import type { RunState } from "../../../shared/pipeline/lifecycle";
import { transientMemory } from "../../../shared/pipeline/receiver";
import { createReceivers, LifecycleEvent, type ServiceContext } from "../../../shared/receivers";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../../helpers/fake-scm";
import { MemoryReceiverStore } from "../../helpers/memory-receiver-store";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const APP_ID = 4343;
const { privateKey, publicKey } = appKeyPair();
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;


const stage = (name: string, phase: PipelinePhase): Stage => ({ name, phase });

describe("scm receiver: progress is due when a stage fails", () => {
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

  const run = (stages: Stage[], phase: PipelinePhase = PipelinePhase.Running): PipelineInfo => ({
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

  /** The receiver as the pipeline handler drives it: `deliver` plans one event's calls, makes them, records them. */
  const driven = async () => {
    const config = parseConfig({
      cluster: "prod",
      watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
      receivers: [{ name: "checks", type: "scm", options: { provider: "github", baseUrl: github.apiUrl, app: { appId: APP_ID, privateKey: "env:SCM_PROGRESS_APP_KEY", installationId: 9 } } }],
    });
    const receiver = createReceivers(config)[0]!.receiver;
    const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store: new MemoryReceiverStore() };
    await receiver.initialize?.(sc);
    const audience = { hears: () => true, progressKey: (_name: string, info: PipelineInfo) => receiver.progressKey!(info) };
    const memory = transientMemory();
    let state: RunState = { stages: [], deliveries: {} };
    const CALLBACK = {
      created: receiver.whenCreated.bind(receiver),
      started: receiver.whenStarted.bind(receiver),
      progress: receiver.updateProgress.bind(receiver),
      finished: receiver.whenFinished.bind(receiver),
    } as const;
    /** One event of the run as the pipeline handler treats it: plan, call, record. */
    const deliver = async (info: PipelineInfo): Promise<string[]> => {
      const plan = planClaims({ ...state, info, stages: info.stages }, ["checks"], 1_000, 60_000, audience);
      for (const call of plan.calls) for (const event of call.events) await CALLBACK[event]({ log, event, memory }, info);
      state = structuredClone(plan.state);
      for (const { path, value } of settleAssignments(plan.calls.map((call) => ({ call, delivered: call.events.length, progressCount: 0 })))) {
        const [, name, field] = path;
        (state.deliveries[name!] as Record<string, unknown>)[field!] = value;
      }
      return plan.calls.flatMap((c) => c.events);
    };
    return { deliver };
  };

  it("plans a progress call when a stage failed, not when one started or succeeded, and posts once for it", async () => {
    // Prepare
    const { deliver } = await driven();
    const before = github.requests.filter((r) => r.path.includes("/check-runs")).length;
    const writes = () => github.requests.filter((r) => r.path.includes("/check-runs")).length - before;
    await deliver(run([stage("build", PipelinePhase.Running)]));
    const afterStart = writes();

    // Act
    const onStageStarted = await deliver(run([stage("build", PipelinePhase.Running), stage("test", PipelinePhase.Pending)]));
    const onStageSucceeded = await deliver(run([stage("build", PipelinePhase.Succeeded), stage("test", PipelinePhase.Running)]));
    const afterStageSucceeded = writes();
    const onStageFailed = await deliver(run([stage("build", PipelinePhase.Succeeded), stage("test", PipelinePhase.Failed), stage("lint", PipelinePhase.Running)]));
    const afterStageFailed = writes();
    const summaryOnFailure = github.checkRuns[0]!.output.summary;
    const onFinished = await deliver(run([stage("build", PipelinePhase.Succeeded), stage("test", PipelinePhase.Failed), stage("lint", PipelinePhase.Succeeded)], PipelinePhase.Failed));

    // Assess
    expect(afterStart).toBe(1);
    expect(onStageStarted).toEqual([]);
    expect(onStageSucceeded).toEqual([]);
    expect(afterStageSucceeded).toBe(afterStart);
    expect(onStageFailed).toEqual([LifecycleEvent.Progress]);
    expect(afterStageFailed).toBe(afterStart + 1);
    expect(summaryOnFailure).toBe("build-x7k2p: Running, test failed: 1/3 stages succeeded");
    expect(onFinished).toEqual([LifecycleEvent.Progress, LifecycleEvent.Finished]);
    expect(writes()).toBe(afterStart + 2);
    expect(github.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    for (const row of ["| build | ✅ Succeeded |", "| test | ❌ Failed |", "| lint | ✅ Succeeded |"]) expect(github.checkRuns[0]!.output.text).toContain(row);
  });

  it("posts once, completed, for a run first seen finished: created, started and finished in one call", async () => {
    // Prepare
    const { deliver } = await driven();
    const finished = { ...run([stage("build", PipelinePhase.Succeeded), stage("test", PipelinePhase.Succeeded)], PipelinePhase.Succeeded), uid: "uid-first-seen-finished" };
    const before = github.requests.length;

    // Act
    const events = await deliver(finished);

    // Assess
    expect(events).toEqual([LifecycleEvent.Created, LifecycleEvent.Started, LifecycleEvent.Progress, LifecycleEvent.Finished]);
    const requests = github.requests.slice(before).filter((r) => r.path.includes("/check-runs"));
    expect(requests.map((r) => r.method)).toEqual(["POST"]);
    expect(requests[0]!.body).toMatchObject({ status: "completed", conclusion: "success", external_id: "uid-first-seen-finished" });
  });
});
