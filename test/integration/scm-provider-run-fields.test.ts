/**
 * The provider fields that tie a status to its run: a GitHub check run's
 * `external_id` (validated against GitHub's OpenAPI description by the
 * fake), which stays out of drift comparison, and each provider's
 * description limit, which the fakes enforce as the real SCMs do.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BitbucketServerProvider,
  GitHubProvider,
  GitLabProvider,
  sameStatus,
  type CommitStatusProvider,
  type DesiredStatus,
  type StatusTarget,
} from "../../shared/scm/providers";
import { appKeyPair, startFakeBitbucketServer, startFakeGitHub, startFakeGitLab, type FakeBitbucketServer, type FakeGitHubServer, type FakeGitLabServer } from "../helpers/fake-scm";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const UID = "c1d5f3b2-8e4a-4d6f-ab9c-2a3b4c5d6e7f";
const URL_1 = "https://dashboard.example.com/prod/data/job/etl-nightly-28991520";
const APP_ID = 5353;
const { privateKey, publicKey } = appKeyPair();
const target = (name = "data/etl-nightly"): StatusTarget => ({ repo: { kind: "github", owner: "acme", name: "shop" }, sha: SHA, name });

describe("Class: GitHubProvider (run fields)", () => {
  let server: FakeGitHubServer;
  const app = () => new GitHubProvider({ baseUrl: server.apiUrl, app: { appId: APP_ID, privateKey, installationId: 3 } });

  beforeAll(async () => {
    server = await startFakeGitHub({ repos: ["acme/shop"], tokens: ["ghp_fields"], app: { id: APP_ID, publicKey, installations: [{ id: 3, repos: ["acme/shop"] }] } });
  });
  afterEach(() => {
    server.assertNoViolations();
    server.clearRequests();
  });
  afterAll(() => server.stop());

  it("sends the run's uid as external_id on the check run's creation and on every update", async () => {
    // Prepare
    const provider = app();

    // Act
    const queued = await provider.setStatus(target(), { phase: "queued", description: "etl-nightly-28991520: Queued", url: URL_1, externalId: UID });
    await provider.setStatus(target(), { phase: "success", description: "etl-nightly-28991520: 1/1 stages succeeded in 5m 12s", url: URL_1, externalId: UID, providerIds: queued.providerIds });

    // Assess
    const bodies = server.writes.filter((r) => r.path.includes("/check-runs")).map((r) => r.body as Record<string, unknown>);
    expect(bodies.map((b) => [b.external_id, b.details_url])).toEqual([
      [UID, URL_1],
      [UID, URL_1],
    ]);
    expect(server.checkRuns.find((run) => run.id === queued.providerIds.checkRunId)).toMatchObject({ external_id: UID, details_url: URL_1 });
  });

  it("sends no external_id on a commit status, which has no such field", async () => {
    // Prepare
    const provider = new GitHubProvider({ baseUrl: server.apiUrl, token: "ghp_fields" });

    // Act
    await provider.setStatus(target("data/etl-nightly-token"), { phase: "queued", description: "etl-nightly-28991520: Queued", externalId: UID });

    // Assess
    expect(server.writes.map((r) => Object.keys(r.body as object).sort())).toEqual([["context", "description", "state"]]);
  });

  it("reads the same status back as in sync: external_id is not part of drift", async () => {
    // Prepare
    const provider = app();
    const desired: DesiredStatus = { phase: "success", description: "etl-nightly-28991520: 1/1 stages succeeded", url: URL_1, externalId: UID };
    const another: DesiredStatus = { ...desired, externalId: "another-run" };
    const written = await provider.setStatus(target("data/etl-drift"), desired);

    // Act
    const observed = await provider.getStatus(target("data/etl-drift"), written.providerIds);

    // Assess
    expect(sameStatus(desired, observed, provider)).toBe(true);
    expect(sameStatus(another, observed, provider)).toBe(true);
  });

  it.each([
    { mode: "check runs", provider: () => app(), limit: 65_535 },
    { mode: "commit statuses", provider: () => new GitHubProvider({ baseUrl: server.apiUrl, token: "ghp_fields" }), limit: 140 },
  ])("states its description limit for $mode: $limit", ({ provider, limit }) => {
    // Assess
    expect(provider().descriptionLimit).toBe(limit);
  });
});

describe("Description limits the fakes enforce", () => {
  let gitlab: FakeGitLabServer;
  let bitbucket: FakeBitbucketServer;
  let github: FakeGitHubServer;

  beforeAll(async () => {
    github = await startFakeGitHub({ repos: ["acme/shop"], tokens: ["ghp_limits"] });
    gitlab = await startFakeGitLab({ projects: [{ id: 5, path: "acme/shop" }], tokens: ["glpat-limits"] });
    bitbucket = await startFakeBitbucketServer({ repos: ["PAY/shop"], tokens: ["bbs-limits"] });
  });
  afterAll(async () => {
    await Promise.all([github.stop(), gitlab.stop(), bitbucket.stop()]);
  });

  it.each<{ name: string; provider: () => CommitStatusProvider; target: StatusTarget; stored: () => string | null | undefined }>([
    {
      name: "GitHub commit status",
      provider: () => new GitHubProvider({ baseUrl: github.apiUrl, token: "ghp_limits" }),
      target: target("limits"),
      stored: () => github.statuses.at(-1)?.description,
    },
    {
      name: "GitLab",
      provider: () => new GitLabProvider({ host: gitlab.url, token: "glpat-limits" }),
      target: { repo: { kind: "gitlab", project: "acme/shop" }, sha: SHA, name: "limits", ref: "main" },
      stored: () => gitlab.statuses.at(-1)?.description,
    },
    {
      name: "Bitbucket Server",
      provider: () => new BitbucketServerProvider({ url: bitbucket.url, token: "bbs-limits" }),
      target: { repo: { kind: "bitbucket-server", project: "PAY", slug: "shop" }, sha: SHA, name: "limits" },
      stored: () => bitbucket.statuses.at(-1)?.description,
    },
  ])("$name takes a description of exactly its descriptionLimit", async ({ provider, target: where, stored }) => {
    // Prepare
    const scm = provider();
    const description = `etl-nightly-28991520: ${"x".repeat(scm.descriptionLimit! - 22)}`;

    // Act
    await scm.setStatus(where, { phase: "failure", description, url: URL_1 });

    // Assess
    expect(description).toHaveLength(scm.descriptionLimit!);
    expect(stored()).toBe(description);
  });
});
