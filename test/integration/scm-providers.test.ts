import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BitbucketCloudProvider,
  BitbucketServerProvider,
  GiteaProvider,
  GitLabProvider,
  InvalidStatusError,
  TransientScmError,
  type StatusTarget,
} from "../../shared/scm/providers";
import {
  startFakeBitbucketCloud,
  startFakeBitbucketServer,
  startFakeGitea,
  startFakeGitLab,
  type FakeBitbucketCloudServer,
  type FakeBitbucketServer,
  type FakeGiteaServer,
  type FakeGitLabServer,
} from "../helpers/fake-scm";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const URL_1 = "https://ci.example.com/runs/1";

describe("Class: GitLabProvider", () => {
  let server: FakeGitLabServer;
  const target: StatusTarget = { repo: { kind: "gitlab", project: "group/sub/shop" }, sha: SHA, name: "tekton/build" };

  beforeAll(async () => {
    server = await startFakeGitLab({ projects: [{ id: 12, path: "group/sub/shop" }], tokens: ["glpat-x"] });
  });
  afterEach(() => server.clearRequests());
  afterAll(() => server.stop());
  const provider = () => new GitLabProvider({ host: server.url, token: "glpat-x" });

  it("writes pending, running and success to one status, with the description cut to 255", async () => {
    // Act
    const pending = await provider().setStatus(target, { phase: "queued", description: "q".repeat(300), url: URL_1 });
    await provider().setStatus(target, { phase: "in_progress", description: "Running", url: URL_1, providerIds: pending.providerIds });
    await provider().setStatus(target, { phase: "success", description: "Succeeded", url: URL_1 });
    const observed = await provider().getStatus(target);

    // Assess
    expect(server.statuses.filter((s) => s.name === "tekton/build").map((s) => s.status)).toEqual(["success"]);
    expect(server.requests[0]?.path).toBe(`/api/v4/projects/group%2Fsub%2Fshop/statuses/${SHA}`);
    expect(server.requests[0]?.body).toMatchObject({ state: "pending", name: "tekton/build", target_url: URL_1 });
    expect((server.requests[0]?.body as { description: string }).description).toHaveLength(255);
    expect(observed).toMatchObject({ phase: "success", state: "success", description: "Succeeded", url: URL_1 });
  });

  it("returns unchanged when GitLab answers 400 'Cannot transition status' for the state it already has", async () => {
    // Prepare
    const running = { ...target, name: "tekton/same" };
    await provider().setStatus(running, { phase: "in_progress", description: "Running" });

    // Act
    const again = await provider().setStatus(running, { phase: "in_progress", description: "Running" });

    // Assess
    expect(again).toMatchObject({ outcome: "unchanged", state: "running" });
    expect(server.latest(12, SHA, "tekton/same")?.status).toBe("running");
    expect(server.requests).toHaveLength(2);
  });

  it("throws PermanentScmError when GitLab refuses a transition to another state", async () => {
    // Prepare
    const backwards = { ...target, name: "tekton/backwards" };
    await provider().setStatus(backwards, { phase: "in_progress" });

    // Act & Assess
    await expect(provider().setStatus(backwards, { phase: "queued" })).rejects.toThrow(
      /Cannot transition status via :enqueue from :running/,
    );
  });

  it("throws RateLimitedError after one request when GitLab answers 429", async () => {
    // Prepare
    server.failNext({ status: 429, headers: { "retry-after": "20" }, body: { message: "Retry later" } });

    // Act & Assess
    await expect(provider().setStatus(target, { phase: "queued" })).rejects.toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 20 });
    expect(server.requests).toHaveLength(1);
  });

  it("throws PermanentScmError naming the project and the token scope when the project is unknown", async () => {
    // Act & Assess
    await expect(
      provider().setStatus({ ...target, repo: { kind: "gitlab", project: "group/missing" } }, { phase: "queued" }),
    ).rejects.toThrow(/group\/missing: 404: 404 Project Not Found.*api scope/);
  });
});

describe("Class: BitbucketCloudProvider", () => {
  let server: FakeBitbucketCloudServer;
  const longName = "tekton/pipelines/team-payments/build-and-integration-test";
  const target: StatusTarget = { repo: { kind: "bitbucket-cloud", workspace: "acme", slug: "shop" }, sha: SHA, name: longName, ref: "main" };

  beforeAll(async () => {
    server = await startFakeBitbucketCloud({ repos: ["acme/shop"], tokens: ["bb-token"], users: [{ username: "ci@acme.test", password: "api-token" }] });
  });
  afterEach(() => server.clearRequests());
  afterAll(() => server.stop());

  it("hashes a long name into a stable key of at most 40 characters, so the second write overwrites the first", async () => {
    // Prepare
    const provider = new BitbucketCloudProvider({ baseUrl: server.url, token: "bb-token" });

    // Act
    const first = await provider.setStatus(target, { phase: "in_progress", description: "Running", url: URL_1 });
    const second = await provider.setStatus(target, { phase: "success", description: "Succeeded", url: URL_1 });
    const observed = await provider.getStatus(target);

    // Assess
    expect(first.providerIds.key!.length).toBeLessThanOrEqual(40);
    expect(second.providerIds.key).toBe(first.providerIds.key);
    expect([first.outcome, second.outcome]).toEqual(["created", "updated"]);
    expect(server.statuses).toHaveLength(1);
    expect(server.statuses[0]).toMatchObject({ state: "SUCCESSFUL", name: longName, refname: "main" });
    expect(observed).toMatchObject({ phase: "success", state: "SUCCESSFUL", description: "Succeeded", url: URL_1 });
  });

  it("writes with basic credentials and maps canceled to STOPPED", async () => {
    // Prepare
    const provider = new BitbucketCloudProvider({ baseUrl: server.url, username: "ci@acme.test", password: "api-token" });

    // Act
    await provider.setStatus({ ...target, name: "ci/short" }, { phase: "canceled", url: URL_1 });

    // Assess
    expect(server.status("acme/shop", SHA, "ci/short")?.state).toBe("STOPPED");
  });

  it("throws InvalidStatusError before any request when the status has no url", async () => {
    // Prepare
    const provider = new BitbucketCloudProvider({ baseUrl: server.url, token: "bb-token" });

    // Act & Assess
    await expect(provider.setStatus(target, { phase: "queued" })).rejects.toBeInstanceOf(InvalidStatusError);
    expect(server.requests).toHaveLength(0);
  });

  it("throws TransientScmError when Bitbucket answers 503", async () => {
    // Prepare
    const provider = new BitbucketCloudProvider({ baseUrl: server.url, token: "bb-token" });
    server.failNext({ status: 503 });

    // Act & Assess
    await expect(provider.setStatus(target, { phase: "queued", url: URL_1 })).rejects.toBeInstanceOf(TransientScmError);
  });
});

describe("Class: BitbucketServerProvider", () => {
  let server: FakeBitbucketServer;
  const target: StatusTarget = { repo: { kind: "bitbucket-server", project: "PAY", slug: "shop" }, sha: SHA, name: "ci/build" };

  beforeAll(async () => {
    server = await startFakeBitbucketServer({ repos: ["PAY/shop"], tokens: ["bbs-token"] });
  });
  afterAll(() => server.stop());
  const provider = () => new BitbucketServerProvider({ url: server.url, token: "bbs-token" });

  it.each([
    ["queued", "INPROGRESS"],
    ["in_progress", "INPROGRESS"],
    ["success", "SUCCESSFUL"],
    ["failure", "FAILED"],
    ["canceled", "CANCELLED"],
  ] as const)("writes %s as %s and reads it back by key", async (phase, state) => {
    // Act
    await provider().setStatus(target, { phase, description: phase, url: URL_1 });
    const observed = await provider().getStatus(target);

    // Assess
    expect(server.status("PAY/shop", SHA, "ci/build")).toMatchObject({ state, description: phase, url: URL_1 });
    expect(observed).toMatchObject({ state, description: phase, providerIds: { key: "ci/build" } });
  });

  it("throws PermanentScmError naming the repository when it does not exist", async () => {
    // Act & Assess
    await expect(
      provider().setStatus({ ...target, repo: { kind: "bitbucket-server", project: "PAY", slug: "missing" } }, { phase: "queued", url: URL_1 }),
    ).rejects.toThrow(/PAY\/missing: 404: Repository PAY\/missing does not exist/);
  });
});

describe("Class: GiteaProvider", () => {
  let server: FakeGiteaServer;
  const target: StatusTarget = { repo: { kind: "gitea", owner: "acme", name: "shop" }, sha: SHA, name: "tekton/build" };

  beforeAll(async () => {
    server = await startFakeGitea({ repos: ["acme/shop"], tokens: ["gitea-token"] });
  });
  afterAll(() => server.stop());
  const provider = (token = "gitea-token") => new GiteaProvider({ url: server.url, token });

  it("posts statuses with the name as context and reads back the newest for that context", async () => {
    // Act
    await provider().setStatus(target, { phase: "in_progress", description: "Running", url: URL_1 });
    await provider().setStatus({ ...target, name: "other/check" }, { phase: "failure", url: URL_1 });
    await provider().setStatus(target, { phase: "success", description: "Succeeded", url: URL_1 });
    const observed = await provider().getStatus(target);

    // Assess
    expect(server.statusesOf("acme/shop", SHA).map((s) => `${s.context}=${s.status}`)).toEqual([
      "tekton/build=success",
      "other/check=failure",
      "tekton/build=pending",
    ]);
    expect(observed).toMatchObject({ phase: "success", state: "success", description: "Succeeded", url: URL_1 });
  });

  it("throws PermanentScmError saying the credentials were rejected when the token is wrong", async () => {
    // Act & Assess
    await expect(provider("wrong").setStatus(target, { phase: "queued" })).rejects.toThrow(/acme\/shop: 401.*credentials were rejected/);
  });
});
