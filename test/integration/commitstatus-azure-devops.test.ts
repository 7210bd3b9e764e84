/**
 * The CommitStatus sync through a GitRepo's `azureDevOps` block: the real
 * provider, built from the block and the secret, against the fake Azure
 * DevOps server; drift is what the newest status of our context says.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerCache, syncedStatus, SyncOutcome, syncCommitStatus, type SyncDeps, type SyncRecord } from "../../shared/commitstatus";
import { commitStatus, NAMESPACE, SHA_A } from "../helpers/commit-status-fixtures";
import { startFakeAzureDevOps, type FakeAzureDevOpsServer } from "../helpers/fake-scm";
import { SILENT_LOG } from "../helpers/handler-context";
import { MemoryCommitStatusApi } from "../helpers/memory-commit-status-api";

const TOKEN = "azdo-sync-pat";

describe("Integration: CommitStatus sync to Azure DevOps", () => {
  let server: FakeAzureDevOpsServer;
  let deps: SyncDeps;
  const secrets: string[] = [];

  beforeAll(async () => {
    server = await startFakeAzureDevOps({ collection: "acme", repos: [{ project: "Shop", name: "shop-api", id: "0f9a9a5e-7d0c-4c1e-8d55-2f7c5d1e3b42" }], tokens: [TOKEN] });
    const api = new MemoryCommitStatusApi().withGitRepo(NAMESPACE, "shop", {
      azureDevOps: { organizationUrl: server.organizationUrl, project: "Shop", repository: "shop-api" },
      credentialsRef: { ssmParameter: "/kube-feedback/azdo" },
    });
    const resolve = async (reference: string) => {
      secrets.push(reference);
      return JSON.stringify({ token: TOKEN });
    };
    deps = { api, providerFor: providerCache(resolve), log: SILENT_LOG };
  });
  afterAll(() => server.stop());

  it("writes the status, sees another write of its context as drift and writes it again", async () => {
    // Act: first sync
    const first = await syncCommitStatus(commitStatus(), undefined, deps);

    // Assess
    expect(first.kind).toBe(SyncOutcome.Written);
    const record = (first as { record: SyncRecord }).record;
    expect(record).toMatchObject({ type: "azure-devops", label: `${new URL(server.url).host}/acme/Shop/shop-api`, repo: { kind: "azure-devops", project: "Shop", repository: "shop-api" } });
    expect(server.writes.map((r) => r.body)).toEqual([
      { state: "pending", description: "rolling out", targetUrl: "https://argocd.example.com/applications/shop", context: { name: "deploy/shop", genre: "kube-feedback" } },
    ]);
    expect(syncedStatus(record, new Date(0)).provider).toEqual({ azureDevOps: { statusId: server.statuses[0]!.id } });
    expect(secrets).toEqual(["ssm:/kube-feedback/azdo"]);

    // Prepare: someone else posts our context as failed
    server.addStatus({ repo: "Shop/shop-api", sha: SHA_A, state: "failed", description: "rolling out", targetUrl: "https://argocd.example.com/applications/shop", context: { name: "deploy/shop", genre: "kube-feedback" } });
    server.clearRequests();

    // Act: the scheduled resync
    const again = await syncCommitStatus(commitStatus({ status: syncedStatus(record, new Date(0)) }), record, deps, true);

    // Assess
    expect(again).toMatchObject({ kind: SyncOutcome.Written, drift: "drift: phase changed in the SCM (in_progress → failed) (overwritten)" });
    expect(server.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
    expect(server.statusesOf("Shop/shop-api", SHA_A)[0]).toMatchObject({ state: "pending" });
  });
});
