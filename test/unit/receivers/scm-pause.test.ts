import { describe, expect, it, afterAll, beforeAll, afterEach } from "vitest";
import { parseConfig } from "../../../shared/config";
import { Disposition } from "../../../shared/errors";
import type { Log } from "../../../shared/log";
import { PipelinePhase, type PipelineInfo } from "../../../shared/pipeline/types";
import { createReceivers, LifecycleEvent, type ServiceContext } from "../../../shared/receivers";
import { credentialOf } from "../../../shared/receivers/scm-pause";
import type { ResolvedProvider } from "../../../shared/receivers/scm-options";
import { CredentialPausedError, RateLimitedError, requireScm, type RepoRef } from "../../../shared/scm";
import { KeyPrefix } from "../../../shared/store";
import { startFakeGitHub, type FakeGitHubServer } from "../../helpers/fake-scm";
import { MemoryReceiverStore } from "../../helpers/memory-receiver-store";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const TOKEN = "ghp_pause_token";
const SHOP: RepoRef = { kind: "github", owner: "Example", name: "shop" };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;

describe("Function: credentialOf", () => {
  const github = (options: Record<string, unknown>) => ({ scm: requireScm("github"), options }) as ResolvedProvider;

  it.each([
    { name: "a GitHub token", resolved: github({ token: TOKEN }), id: /^token-[0-9a-f]{16}$/ },
    { name: "a GitHub App with its installation", resolved: github({ app: { appId: 42, privateKey: "k", installationId: 7 } }), id: /^installation-7$/ },
    { name: "a GitHub App without an installation id", resolved: github({ app: { appId: 42, privateKey: "k" } }), id: /^app-42@example$/ },
    { name: "a GitLab token", resolved: { scm: requireScm("gitlab"), options: { token: "glpat-secret" } } as ResolvedProvider, id: /^token-[0-9a-f]{16}$/ },
    {
      name: "Bitbucket basic credentials",
      resolved: { scm: requireScm("bitbucket-cloud"), options: { username: "ci", password: "app-password" } } as ResolvedProvider,
      id: /^basic-[0-9a-f]{16}$/,
    },
  ])("returns an id that names $name without containing a secret", ({ resolved, id }) => {
    // Act
    const credential = credentialOf(resolved, SHOP);

    // Assess
    expect(credential).toMatch(id);
    for (const secret of [TOKEN, "glpat-secret", "app-password"]) expect(credential).not.toContain(secret);
  });

  it("returns the same id for the same token and another for another token", () => {
    // Act
    const ids = [TOKEN, TOKEN, `${TOKEN}2`].map((token) => credentialOf({ scm: requireScm("github"), options: { token } }, SHOP));

    // Assess
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });
});

describe("Class: ScmReceiver (credential pauses)", () => {
  let github: FakeGitHubServer;
  let host: string;

  const start = async (names: readonly string[], store: MemoryReceiverStore, options: Record<string, unknown> = {}) => {
    const config = parseConfig({
      cluster: "prod",
      watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
      receivers: names.map((name) => ({ name, type: "scm", options: { provider: "github", baseUrl: github.apiUrl, token: "env:SCM_PAUSE_TOKEN", statusName: `ci/${name}`, ...options } })),
    });
    const sc: ServiceContext = { log: quiet, config, kube: () => Promise.reject(new Error("not used")), store };
    const receivers = createReceivers(config).map((r) => r.receiver);
    for (const receiver of receivers) await receiver.initialize!(sc);
    return receivers;
  };

  const run = (uid: string): PipelineInfo => ({
    id: `prod/ci/${uid}`,
    uid,
    cluster: "prod",
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    name: uid,
    namespace: "ci",
    phase: PipelinePhase.Succeeded,
    stages: [],
    labels: {},
    annotations: {},
    git: { provider: "github", host, owner: "example", repo: "shop", sha: SHA },
  });
  const finished = { log: quiet, event: LifecycleEvent.Finished };

  beforeAll(async () => {
    process.env.SCM_PAUSE_TOKEN = TOKEN;
    github = await startFakeGitHub({ repos: ["example/shop"], tokens: [TOKEN] });
    host = new URL(github.url).host;
  });
  afterEach(() => {
    github.assertNoViolations();
    github.clearRequests();
  });
  afterAll(async () => {
    await github.stop();
  });

  it("pauses the token for every receiver that uses it when GitHub answers 403 with Retry-After, and sends them no request", async () => {
    // Prepare
    const store = new MemoryReceiverStore();
    const [first, second] = await start(["first", "second"], store);
    github.rateLimitNext({ retryAfterSeconds: 8 });

    // Act
    const limited = await first!.whenFinished(finished, run("uid-a")).catch((e: unknown) => e);
    const paused = await second!.whenFinished(finished, run("uid-b")).catch((e: unknown) => e);
    const pausedAgain = await first!.whenFinished(finished, run("uid-c")).catch((e: unknown) => e);

    // Assess
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(paused).toBeInstanceOf(CredentialPausedError);
    expect(pausedAgain).toBeInstanceOf(CredentialPausedError);
    for (const error of [paused, pausedAgain] as CredentialPausedError[]) {
      expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(7);
      expect(error.retryAfterSeconds).toBeLessThanOrEqual(8);
      expect(error.disposition).toBe(Disposition.Retry);
      expect(error.message).not.toContain(TOKEN);
    }
    expect(github.requests).toHaveLength(1);
    const [key, mark] = [...store.items].find(([k]) => k.startsWith(KeyPrefix.pause))!;
    expect(key).toMatch(new RegExp(`^pause#${host.replace(/[.]/g, "\\.")}#token-[0-9a-f]{16}$`));
    expect(key).not.toContain(TOKEN);
    expect((paused as CredentialPausedError).until).toBe(mark.until);
    expect(store.ttls.get(key)).toBeGreaterThanOrEqual(8);
  });

  it("honours a Retry-After given as an HTTP date and pauses the token until that moment", async () => {
    // Prepare
    const store = new MemoryReceiverStore();
    const [receiver] = await start(["dated"], store);
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 20_000);
    github.failNext({
      status: 403,
      headers: { "retry-after": at.toUTCString() },
      body: { message: "You have exceeded a secondary rate limit.", documentation_url: "https://docs.github.com/rest" },
    });

    // Act
    const limited = await receiver!.whenFinished(finished, run("uid-dated")).catch((e: unknown) => e);
    const paused = await receiver!.whenFinished(finished, run("uid-dated-2")).catch((e: unknown) => e);

    // Assess
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(19);
    expect((limited as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(21);
    expect(paused).toBeInstanceOf(CredentialPausedError);
    expect(Math.abs((paused as CredentialPausedError).until - at.getTime())).toBeLessThanOrEqual(1_000);
    expect(github.requests).toHaveLength(1);
  });

  it("leaves another credential alone while one is paused", async () => {
    // Prepare
    const store = new MemoryReceiverStore();
    const [limited] = await start(["limited"], store);
    process.env.SCM_PAUSE_OTHER = "ghp_other";
    const [other] = await start(["other"], store, { token: "env:SCM_PAUSE_OTHER" });
    github.rateLimitNext({ retryAfterSeconds: 30 });
    await limited!.whenFinished(finished, run("uid-x")).catch(() => undefined);

    // Act
    const error = await other!.whenFinished(finished, run("uid-y")).catch((e: unknown) => e);

    // Assess: the fake refuses the unknown token, but the request was made.
    expect(error).not.toBeInstanceOf(CredentialPausedError);
    expect(github.requests).toHaveLength(2);
  });
});
