import { describe, expect, it } from "vitest";
import { providerStatus, resolveGitRepo } from "../../../shared/commitstatus";
import { parseConfig } from "../../../shared/config";
import type { Log } from "../../../shared/log";
import { PipelinePhase, type PipelineInfo } from "../../../shared/pipeline/types";
import { createReceivers, LifecycleEvent, type ServiceContext } from "../../../shared/receivers";
import { registerScm, scmFor, scmNames } from "../../../shared/scm";
import { sourcehut, sourcehutWrites } from "../../helpers/scm/sourcehut";
import { MemoryReceiverStore } from "../../helpers/memory-receiver-store";

// The one line a new SCM adds (shared/scm/registry.ts holds the built-in ones).
registerScm(sourcehut);

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;

const configWith = (options: Record<string, unknown>) =>
  parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [{ name: "srht", type: "scm", options }],
  });

/** Receiver options are checked when the receivers are built at start (shared/receivers/registry.ts). */
const receiversOf = (options: Record<string, unknown>) => createReceivers(configWith(options));

const run = (phase: PipelinePhase, host: string): PipelineInfo => ({
  id: "prod/ci/build-x7k2p",
  uid: "uid-1",
  cluster: "prod",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-x7k2p",
  namespace: "ci",
  phase,
  stages: [],
  labels: { "tekton.dev/pipeline": "build" },
  annotations: {},
  git: { host, owner: "~alice", repo: "shop", sha: SHA },
});

describe("SCM registry: a provider added as one folder and one registry line", () => {
  it("is known by its type and alias, and a second registration of a name throws", () => {
    // Act & Assess
    expect(scmFor("srht")).toBe(sourcehut);
    expect(scmNames()).toContain("sourcehut");
    expect(() => registerScm(sourcehut)).toThrow(/"sourcehut" is already registered/);
  });

  it("gets its scm receiver options checked at start, a misspelt key named with its path", () => {
    // Act & Assess
    expect(() => receiversOf({ provider: "sourcehut", url: "https://git.sr.ht", token: "env:SRHT_TOKEN" })).not.toThrow();
    expect(() => receiversOf({ provider: "sourcehut", url: "https://git.sr.ht", token: "env:SRHT_TOKEN", statusNam: "ci" })).toThrow(
      /receivers\[0\]\.options\.statusNam: unknown key/,
    );
    expect(() => receiversOf({ provider: "sourcehut", url: "https://git.sr.ht", token: "plain-text" })).toThrow(/receivers\[0\]\.options\.token/);
    expect(() => receiversOf({ provider: "sourcehut", url: "https://git.sr.ht", token: "env:SRHT_TOKEN", comment: { enabled: true } })).toThrow(
      /receivers\[0\]\.options\.comment\.enabled: comments are supported on github and gitlab, not sourcehut/,
    );
  });

  it("receives the scm receiver's statuses for runs on its host, at the repository the run's URL names", async () => {
    // Prepare
    process.env.SRHT_TOKEN = "srht-secret";
    const config = configWith({ provider: "srht", url: "https://git.sr.ht", token: "env:SRHT_TOKEN" });
    const receiver = createReceivers(config)[0]!.receiver;
    const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store: new MemoryReceiverStore() };
    await receiver.initialize?.(sc);
    sourcehutWrites.length = 0;

    // Act
    await receiver.whenStarted({ log, event: LifecycleEvent.Started }, run(PipelinePhase.Running, "git.sr.ht"));
    await receiver.whenFinished({ log, event: LifecycleEvent.Finished }, run(PipelinePhase.Succeeded, "git.sr.ht"));
    await receiver.whenFinished({ log, event: LifecycleEvent.Finished }, run(PipelinePhase.Failed, "github.com"));

    // Assess
    expect(sourcehutWrites.map((w) => [w.target.repo, w.target.name, w.state, w.token])).toEqual([
      [{ kind: "sourcehut", owner: "~alice", name: "shop" }, "ci/build", "running", "srht-secret"],
      [{ kind: "sourcehut", owner: "~alice", name: "shop" }, "ci/build", "success", "srht-secret"],
    ]);
  });

  it("has a GitRepo block the CommitStatus sync resolves, and its own status.provider ids", () => {
    // Act
    const gitRepo = resolveGitRepo("apps/shop", { sourcehut: { url: "https://git.sr.ht", owner: "~alice", name: "shop" }, credentialsRef: { ssmParameter: "/srht" } }, "shop");

    // Assess
    expect(gitRepo).toMatchObject({ type: "sourcehut", repo: { kind: "sourcehut", owner: "~alice", name: "shop" }, options: { url: "https://git.sr.ht" }, label: "git.sr.ht/~alice/shop" });
    expect(providerStatus("sourcehut", { statusId: 12 })).toEqual({ sourcehut: { jobId: 12 } });
    expect(() => resolveGitRepo("apps/shop", { credentialsRef: { ssmParameter: "/x" } }, "shop")).toThrow(/exactly one of github, .* or sourcehut must be set/);
  });
});
