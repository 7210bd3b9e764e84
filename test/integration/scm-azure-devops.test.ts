/**
 * The Azure DevOps provider against a fake that follows the documented
 * statuses API (test/helpers/fake-scm/azure-devops.ts): what is sent, what
 * is read back for drift, and how failures and rate limits are classified.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Disposition } from "../../shared/errors";
import { AzureDevOpsProvider, PermanentScmError, RateLimitedError, sameStatus, type StatusTarget } from "../../shared/scm";
import { startFakeAzureDevOps, type FakeAzureDevOpsServer } from "../helpers/fake-scm";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const URL_1 = "https://ci.example.com/runs/1";
const TOKEN = "azdo-pat";
const target: StatusTarget = { repo: { kind: "azure-devops", project: "Shop", repository: "shop-api" }, sha: SHA, name: "ci/build" };

describe("Class: AzureDevOpsProvider", () => {
  let server: FakeAzureDevOpsServer;
  const provider = (token = TOKEN) => new AzureDevOpsProvider({ organizationUrl: server.organizationUrl, token });

  beforeAll(async () => {
    server = await startFakeAzureDevOps({
      collection: "acme",
      repos: [{ project: "Shop", name: "shop-api", id: "5febef5a-833d-4e14-b9c0-14cb638f91e6", pullRequests: [17] }],
      tokens: [TOKEN],
    });
  });
  afterEach(() => {
    server.clearRequests();
    server.statuses.length = 0;
  });
  afterAll(() => server.stop());

  describe("Method: setStatus", () => {
    it("posts one commit status with the name as context, our genre, the PAT as Basic with an empty user and api-version 7.1", async () => {
      // Act
      const written = await provider().setStatus(target, { phase: "in_progress", description: "build-x7k2p: Running", url: URL_1 });

      // Assess
      expect(server.writes).toHaveLength(1);
      const [post] = server.writes;
      expect(post!.path).toBe(`/acme/Shop/_apis/git/repositories/shop-api/commits/${SHA}/statuses`);
      expect(post!.query).toEqual({ "api-version": "7.1" });
      expect(post!.headers.authorization).toBe(`Basic ${Buffer.from(`:${TOKEN}`).toString("base64")}`);
      expect(post!.headers["x-tfs-fedauthredirect"]).toBe("Suppress");
      expect(post!.body).toEqual({ state: "pending", description: "build-x7k2p: Running", targetUrl: URL_1, context: { name: "ci/build", genre: "kube-feedback" } });
      expect(written).toEqual({ outcome: "created", state: "pending", providerIds: { statusId: server.statuses[0]!.id } });
    });

    it.each([
      ["queued", "pending"],
      ["in_progress", "pending"],
      ["success", "succeeded"],
      ["failure", "failed"],
      ["canceled", "error"],
    ] as const)("sends %s as the state %s", async (phase, state) => {
      // Act
      await provider().setStatus(target, { phase });

      // Assess
      expect(server.statusesOf("Shop/shop-api", SHA).map((s) => s.state)).toEqual([state]);
    });

    it("also posts the status to the pull request, after the commit's, when the target names one", async () => {
      // Act
      await provider().setStatus({ ...target, pullRequest: 17 }, { phase: "success", description: "build-x7k2p: 3/3 stages succeeded", url: URL_1 });

      // Assess
      expect(server.writes.map((r) => r.path)).toEqual([
        `/acme/Shop/_apis/git/repositories/shop-api/commits/${SHA}/statuses`,
        "/acme/Shop/_apis/git/repositories/shop-api/pullRequests/17/statuses",
      ]);
      expect(server.writes[1]!.body).toEqual(server.writes[0]!.body);
      expect(server.pullRequestStatusesOf("Shop/shop-api", 17)).toMatchObject([{ state: "succeeded", context: { name: "ci/build", genre: "kube-feedback" } }]);
    });

    it("encodes project and repository names in the path", async () => {
      // Act
      const error = await provider()
        .setStatus({ ...target, repo: { kind: "azure-devops", project: "Web Team", repository: "a/b" } }, { phase: "queued" })
        .catch((e: unknown) => e);

      // Assess
      expect(server.requests.map((r) => r.path)).toEqual([`/acme/Web%20Team/_apis/git/repositories/a%2Fb/commits/${SHA}/statuses`]);
      expect(error).toBeInstanceOf(PermanentScmError);
    });
  });

  describe("Method: getStatus", () => {
    it("returns the newest status of our context, ignoring the same name under another genre and other names", async () => {
      // Prepare
      await provider().setStatus(target, { phase: "queued", description: "Queued", url: URL_1 });
      const failed = await provider().setStatus(target, { phase: "failure", description: "Failed at test", url: URL_1 });
      await provider().setStatus({ ...target, name: "other" }, { phase: "success" });
      server.addStatus({ repo: "Shop/shop-api", sha: SHA, state: "succeeded", description: "theirs", context: { name: "ci/build", genre: "other-ci" } });

      // Act
      const observed = await provider().getStatus(target);

      // Assess
      expect(observed).toEqual({ phase: "failure", state: "failed", description: "Failed at test", url: URL_1, providerIds: failed.providerIds });
      expect(server.requests.at(-1)!.query).toEqual({ "api-version": "7.1", latestOnly: "true", top: "1000", skip: "0" });
    });

    it.each(["notSet", "notApplicable"])("returns no phase for %s, which only others post, so that it counts as drift", async (state) => {
      // Prepare
      await provider().setStatus(target, { phase: "success", description: "ok" });
      server.addStatus({ repo: "Shop/shop-api", sha: SHA, state, description: "ok", context: { name: "ci/build", genre: "kube-feedback" } });

      // Act
      const observed = await provider().getStatus(target);

      // Assess
      expect(observed).toMatchObject({ state, description: "ok" });
      expect(observed?.phase).toBeUndefined();
      expect(sameStatus({ phase: "success", description: "ok" }, observed, provider())).toBe(false);
    });

    it("returns undefined when the commit has no status of that name", async () => {
      // Act & Assess
      await expect(provider().getStatus(target)).resolves.toBeUndefined();
    });
  });

  describe("Failures", () => {
    it("throws PermanentScmError saying the credentials were rejected when the token is wrong", async () => {
      // Act & Assess
      await expect(provider("wrong").setStatus(target, { phase: "queued" })).rejects.toThrow(/Shop\/shop-api: 401.*credentials were rejected/);
      expect(server.requests).toHaveLength(1);
    });

    it("refuses a 203 sign-in page as rejected credentials instead of reading it as a write", async () => {
      // Prepare
      server.failNext({ status: 203, body: "<html><title>Sign In</title></html>", headers: { "content-type": "text/html; charset=utf-8" } });

      // Act
      const error = await provider().setStatus(target, { phase: "queued" }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(PermanentScmError);
      expect((error as Error).message).toMatch(/answered 203 with a sign-in page.*credentials were rejected/);
    });

    it("throws PermanentScmError naming the repository when it does not exist", async () => {
      // Act & Assess
      await expect(provider().setStatus({ ...target, repo: { kind: "azure-devops", project: "Shop", repository: "missing" } }, { phase: "queued" })).rejects.toMatchObject({
        name: "PermanentScmError",
        disposition: Disposition.Permanent,
        message: expect.stringMatching(/Shop\/missing: 404: TF401019: The Git repository with name or identifier missing does not exist/),
      });
    });

    it("throws PermanentScmError when the pull request does not exist, after writing the commit's status", async () => {
      // Act & Assess
      await expect(provider().setStatus({ ...target, pullRequest: 404 }, { phase: "queued" })).rejects.toThrow(/pull request 404 on Shop\/shop-api: 404: TF401180/);
      expect(server.statusesOf("Shop/shop-api", SHA)).toHaveLength(1);
    });

    it("throws RateLimitedError with the Retry-After of a 429 after one request", async () => {
      // Prepare
      server.failNext({ status: 429, headers: { "retry-after": "30", "x-ratelimit-resource": "ATCPU", "x-ratelimit-remaining": "0" }, body: { message: "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'ATCPU' in namespace 'User'." } });

      // Act & Assess
      await expect(provider().setStatus(target, { phase: "queued" })).rejects.toMatchObject({ name: "RateLimitedError", retryAfterSeconds: 30 });
      expect(server.requests).toHaveLength(1);
    });

    it("throws RateLimitedError until X-RateLimit-Reset when a 429 names no Retry-After", async () => {
      // Prepare
      const reset = Math.floor(Date.now() / 1000) + 600;
      server.failNext({ status: 429, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, body: { message: "TF400733" } });

      // Act
      const error = await provider().setStatus(target, { phase: "queued" }).catch((e: unknown) => e);

      // Assess: the reset time, not the one-minute default
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThan(500);
    });

    it.each([
      { case: "a 503", failure: { status: 503, body: { message: "Service Unavailable" } } },
      { case: "a 500", failure: { status: 500, body: { message: "TF246017" } } },
      { case: "a dropped connection", failure: { reset: true } },
    ])("throws TransientScmError, retried with backoff, on $case", async ({ failure }) => {
      // Prepare
      server.failNext(failure);

      // Act & Assess
      await expect(provider().setStatus(target, { phase: "queued" })).rejects.toMatchObject({ name: "TransientScmError", disposition: Disposition.Retry });
    });
  });
});
