import { Octokit } from "@octokit/rest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Disposition } from "../../shared/errors";
import {
  GitHubProvider,
  PermanentScmError,
  RateLimitedError,
  sameStatus,
  statusDiff,
  TransientScmError,
  type DesiredStatus,
  type StatusTarget,
} from "../../shared/scm/providers";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const URL_1 = "https://ci.example.com/runs/1";
const { privateKey, publicKey } = appKeyPair();

const github = (owner: string, name: string, status = "ci/build"): StatusTarget => ({ repo: { kind: "github", owner, name }, sha: SHA, name: status });

describe("Class: GitHubProvider", () => {
  let server: FakeGitHubServer;
  const APP = { id: 4242, publicKey };

  beforeAll(async () => {
    server = await startFakeGitHub({
      repos: ["acme/shop", "acme/docs", "acme/other"],
      tokens: ["ghp_token"],
      app: { ...APP, installations: [{ id: 7, repos: ["acme/shop"] }, { id: 8, repos: ["acme/docs"], permissions: { statuses: "write" } }] },
    });
  });
  afterEach(() => {
    server.assertNoViolations();
    server.clearRequests();
  });
  afterAll(() => server.stop());

  describe("Method: setStatus (GitHub App)", () => {
    it("creates one check run, then updates it in place by its id, with one installation token", async () => {
      // Prepare
      const provider = new GitHubProvider({ baseUrl: server.apiUrl, app: { appId: APP.id, privateKey } });
      const target = github("acme", "shop");
      const details = "| stage | phase | duration |\n|---|---|---|\n| build | succeeded | 12s |";

      // Act
      const queued = await provider.setStatus(target, { phase: "queued", description: "Queued", url: URL_1 });
      const running = await provider.setStatus(target, { phase: "in_progress", description: "Running", url: URL_1, providerIds: queued.providerIds });
      const done = await provider.setStatus(target, { phase: "success", description: "Succeeded", url: URL_1, details, providerIds: running.providerIds });

      // Assess
      expect([queued.outcome, running.outcome, done.outcome]).toEqual(["created", "updated", "updated"]);
      const runs = server.checkRuns.filter((run) => run.repo === "acme/shop");
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        id: queued.providerIds.checkRunId,
        name: "ci/build",
        head_sha: SHA,
        status: "completed",
        conclusion: "success",
        details_url: URL_1,
        output: { title: "ci/build", summary: "Succeeded", text: details },
      });
      expect(server.requests.map((r) => `${r.method} ${r.path.replace(/\/\d+(?=\/|$)/g, "/{id}")}`)).toEqual([
        "GET /repos/acme/shop/installation",
        "POST /app/installations/{id}/access_tokens",
        "POST /repos/acme/shop/check-runs",
        "PATCH /repos/acme/shop/check-runs/{id}",
        "PATCH /repos/acme/shop/check-runs/{id}",
      ]);
    });

    it("creates a new check run when the remembered one answers 404 on update", async () => {
      // Prepare
      const provider = new GitHubProvider({ baseUrl: server.apiUrl, app: { appId: APP.id, privateKey, installationId: 7 } });

      // Act
      const written = await provider.setStatus(github("acme", "shop", "ci/lost"), { phase: "failure", description: "Failed", providerIds: { checkRunId: 99_999 } });

      // Assess
      expect(written.outcome).toBe("created");
      expect(written.providerIds.checkRunId).not.toBe(99_999);
      expect(server.writes.map((r) => r.method)).toEqual(["POST", "PATCH", "POST"]);
      expect(server.requests.some((r) => r.path.endsWith("/installation"))).toBe(false);
    });

    it("throws PermanentScmError naming the repository and the Checks permission when the App lacks it", async () => {
      // Prepare
      const provider = new GitHubProvider({ baseUrl: server.apiUrl, app: { appId: APP.id, privateKey } });

      // Act
      const error = await provider.setStatus(github("acme", "docs"), { phase: "queued" }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(PermanentScmError);
      expect(error).toMatchObject({ disposition: Disposition.Permanent, status: 403 });
      expect((error as Error).message).toMatch(/acme\/docs.*"Checks: read and write"/s);
    });

    it("throws PermanentScmError saying the App must be installed when the repository has no installation", async () => {
      // Prepare
      const provider = new GitHubProvider({ baseUrl: server.apiUrl, app: { appId: APP.id, privateKey } });

      // Act & Assess
      await expect(provider.setStatus(github("acme", "other"), { phase: "queued" })).rejects.toThrow(
        /GitHub App 4242 on acme\/other: 404.*must be installed on acme\/other/,
      );
    });
  });

  describe("Fake: OpenAPI validation", () => {
    it("records a violation and answers 422 when a client sends a body outside GitHub's schema", async () => {
      // Prepare
      const octokit = new Octokit({ baseUrl: server.apiUrl, auth: "ghp_token", log: { debug() {}, info() {}, warn() {}, error() {} } });

      // Act
      const error = await octokit
        .request("POST /repos/{owner}/{repo}/statuses/{sha}", { owner: "acme", repo: "shop", sha: SHA, state: "running" as "pending" })
        .catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ status: 422 });
      expect(server.violations).toEqual([
        `POST /repos/acme/shop/statuses/${SHA} (repos/create-commit-status): body.state: "running" is not one of ["error","failure","pending","success"]`,
      ]);
      expect(() => server.assertNoViolations()).toThrow(/outside GitHub's OpenAPI description/);
      server.violations.length = 0;
    });
  });

  describe("Method: getStatus (GitHub App)", () => {
    it("returns the check run found by name, and reports drift made on GitHub by field", async () => {
      // Prepare
      const provider = new GitHubProvider({ baseUrl: server.apiUrl, app: { appId: APP.id, privateKey, installationId: 7 } });
      const target = github("acme", "shop", "ci/drift");
      const desired: DesiredStatus = { phase: "success", description: "Done", url: URL_1 };
      const written = await provider.setStatus(target, desired);
      const run = server.checkRuns.find((r) => r.id === written.providerIds.checkRunId)!;
      run.conclusion = "neutral";

      // Act
      const byName = await provider.getStatus(target);
      const byId = await provider.getStatus(target, written.providerIds);

      // Assess
      expect(byName).toEqual(byId);
      expect(byName).toMatchObject({ state: "completed/neutral", description: "Done", providerIds: written.providerIds });
      expect(byName?.phase).toBeUndefined();
      expect(statusDiff(desired, byName!, provider)).toEqual(["phase"]);
      expect(server.requests.find((r) => r.method === "GET" && r.path.endsWith("/check-runs"))?.query).toMatchObject({ check_name: "ci/drift", app_id: "4242" });
    });
  });

  describe("Method: setStatus (token)", () => {
    it("posts commit statuses pending then success under the context, and a repeated state costs no request", async () => {
      // Prepare
      const provider = new GitHubProvider({ baseUrl: server.apiUrl, token: "ghp_token" });
      const target = github("acme", "shop", "ci/token");
      const running: DesiredStatus = { phase: "in_progress", description: "d".repeat(200), url: URL_1 };
      const done: DesiredStatus = { phase: "success", description: "Succeeded", url: URL_1 };

      // Act
      await provider.setStatus(target, running);
      const skipped = sameStatus({ ...running, phase: "queued" }, running, provider);
      await provider.setStatus(target, done);
      const observed = await provider.getStatus(target);

      // Assess
      expect(skipped).toBe(true);
      const statuses = server.statuses.filter((s) => s.context === "ci/token");
      expect(statuses.map((s) => s.state)).toEqual(["pending", "success"]);
      expect(statuses[0]!.description).toHaveLength(140);
      expect(observed).toMatchObject({ phase: "success", state: "success", description: "Succeeded", url: URL_1 });
      expect(server.writes).toHaveLength(2);
    });

    it("serves GitHub Enterprise under its /api/v3 base URL", async () => {
      // Prepare
      const enterprise = await startFakeGitHub({ repos: ["acme/shop"], tokens: ["ghp_token"], pathPrefix: "/api/v3" });
      const provider = new GitHubProvider({ baseUrl: enterprise.apiUrl, token: "ghp_token" });

      // Act
      await provider.setStatus(github("acme", "shop"), { phase: "queued" });

      // Assess
      expect(enterprise.requests.map((r) => r.path)).toEqual([`/api/v3/repos/acme/shop/statuses/${SHA}`]);
      enterprise.assertNoViolations();
      await enterprise.stop();
    });
  });

  describe("Method: setStatus (failures)", () => {
    const provider = () => new GitHubProvider({ baseUrl: server.apiUrl, token: "ghp_token" });

    it("throws RateLimitedError with about 30 s after one request when GitHub answers 403 with x-ratelimit-remaining 0", async () => {
      // Prepare
      server.rateLimitNext({ resetInSeconds: 30 });

      // Act
      const error = await provider().setStatus(github("acme", "shop"), { phase: "queued" }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(29);
      expect((error as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(31);
      expect(server.requests).toHaveLength(1);
    });

    it("throws RateLimitedError with retry-after when a secondary limit answers 403", async () => {
      // Prepare
      server.rateLimitNext({ retryAfterSeconds: 45 });

      // Act & Assess
      await expect(provider().setStatus(github("acme", "shop"), { phase: "queued" })).rejects.toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 45 });
    });

    it("throws TransientScmError after one request when GitHub answers 502", async () => {
      // Prepare
      server.failNext({ status: 502, body: { message: "Server Error" } });

      // Act & Assess
      await expect(provider().setStatus(github("acme", "shop"), { phase: "queued" })).rejects.toBeInstanceOf(TransientScmError);
      expect(server.requests).toHaveLength(1);
    });

    it("throws TransientScmError when the connection drops", async () => {
      // Prepare
      server.failNext({ reset: true });

      // Act & Assess
      await expect(provider().setStatus(github("acme", "shop"), { phase: "queued" })).rejects.toMatchObject({ name: "TransientScmError", disposition: Disposition.Retry });
    });

    it("throws PermanentScmError naming the repository when it does not exist", async () => {
      // Act
      const error = await provider().setStatus(github("acme", "missing"), { phase: "queued" }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(PermanentScmError);
      expect((error as Error).message).toMatch(/^github: writing status "ci\/build" on 3f78685 on acme\/missing: 404/);
      expect((error as Error).message).toContain("Commit statuses: read and write");
    });
  });
});
