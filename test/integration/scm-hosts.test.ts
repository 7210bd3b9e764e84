import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecording, type RecordedEvent } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";

/**
 * A GitHub Enterprise receiver and a "github.com" receiver side by side. A
 * fake cannot listen on github.com, so each side is modelled by its host:
 * the Enterprise fake serves `/api/v3` on one port, the other fake its API
 * at the root of another port, and each receiver's web host is its fake's
 * `127.0.0.1:port`. Both fakes hold the same repository, so a status sent to
 * the wrong one would succeed there and show, not fail unseen.
 */
const RECORDING = readRecording(fileURLToPath(new URL("../../recordings/tekton-pipelinerun.ndjson", import.meta.url)));
const WATCH = [
  { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
  { group: "tekton.dev", version: "v1", resource: "taskruns" },
];
const SHA = { ghe: "1111111111111111111111111111111111111111", dotcom: "2222222222222222222222222222222222222222", nobody: "3333333333333333333333333333333333333333" };

/**
 * The recording as its own run (namespace, uids, commit) on `repoUrl`, marked
 * the way Pipelines-as-Code marks every run from either host: `git-provider: github`.
 */
const runOn = (namespace: keyof typeof SHA, repoUrl: string): RecordedEvent[] =>
  RECORDING.map(({ type, object }) => {
    const copy = structuredClone(object);
    const meta = copy.metadata as typeof copy.metadata & { ownerReferences?: { uid: string }[] };
    meta.namespace = namespace;
    meta.uid = `${namespace}-${meta.uid}`;
    for (const owner of meta.ownerReferences ?? []) owner.uid = `${namespace}-${owner.uid}`;
    if (copy.kind === "PipelineRun") {
      const git = { "commit-status.argoproj.io/repo-url": repoUrl, "commit-status.argoproj.io/sha": SHA[namespace], "pipelinesascode.tekton.dev/git-provider": "github" };
      meta.annotations = { ...meta.annotations, ...git };
    }
    return { type, object: copy };
  });

const replay = async (stack: LocalStack, events: readonly RecordedEvent[]): Promise<void> => {
  for (const { type, object } of events) {
    await stack.relay.ship(type, object);
    await stack.relay.flush();
    await stack.poller.drained(25);
  }
};

/** Consecutive repeats removed: the states an observer of the SCM saw, in order. */
const transitions = (states: readonly string[]) => states.filter((s, i) => i === 0 || s !== states[i - 1]);

describe("Integration: scm receivers on two GitHub hosts", () => {
  let ghe: FakeGitHubServer;
  let dotcom: FakeGitHubServer;
  let stack: LocalStack;

  beforeAll(async () => {
    process.env.SCM_HOSTS_GHE_TOKEN = "ghp_enterprise";
    process.env.SCM_HOSTS_DOTCOM_TOKEN = "ghp_dotcom";
    ghe = await startFakeGitHub({ repos: ["acme/shop"], tokens: ["ghp_enterprise"], pathPrefix: "/api/v3" });
    dotcom = await startFakeGitHub({ repos: ["acme/shop"], tokens: ["ghp_dotcom"] });
    const config = parseConfig({
      cluster: "hosts",
      watch: WATCH,
      receivers: [
        { name: "enterprise", type: "scm", options: { provider: "github", baseUrl: ghe.apiUrl, token: "env:SCM_HOSTS_GHE_TOKEN" } },
        { name: "dotcom", type: "scm", options: { provider: "github", baseUrl: dotcom.apiUrl, token: "env:SCM_HOSTS_DOTCOM_TOKEN" } },
      ],
      processing: { backoff: { baseSeconds: 1, capSeconds: 2 } },
    });
    stack = await startLocalStack({ config });
    await replay(stack, runOn("ghe", `${ghe.url}/acme/shop.git`));
    await replay(stack, runOn("dotcom", `${dotcom.url}/acme/shop`));
    // A host neither receiver serves, though the run says github like the others.
    await replay(stack, runOn("nobody", "https://github.com/acme/shop"));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await ghe?.stop();
    await dotcom?.stop();
  });

  it("writes the Enterprise run to the Enterprise server only, pending → success", () => {
    // Assess
    ghe.assertNoViolations();
    expect(new Set(ghe.statuses.map((s) => s.sha))).toEqual(new Set([SHA.ghe]));
    expect(transitions(ghe.statuses.map((s) => `${s.context} ${s.state}`))).toEqual(["ghe/build-and-test pending", "ghe/build-and-test success"]);
    expect(ghe.requests.every((r) => r.path.startsWith("/api/v3/repos/acme/shop/"))).toBe(true);
  });

  it("writes the other host's run to its own server only, pending → success", () => {
    // Assess
    dotcom.assertNoViolations();
    expect(new Set(dotcom.statuses.map((s) => s.sha))).toEqual(new Set([SHA.dotcom]));
    expect(transitions(dotcom.statuses.map((s) => `${s.context} ${s.state}`))).toEqual(["dotcom/build-and-test pending", "dotcom/build-and-test success"]);
  });

  it("sends a run on a host no receiver serves nowhere", () => {
    // Assess
    const touched = [...ghe.requests, ...dotcom.requests].filter((r) => r.path.includes(SHA.nobody) || JSON.stringify(r.body ?? {}).includes("nobody/"));
    expect(touched).toEqual([]);
    expect(stack.poller.stats.failures).toBe(0);
  });
});
