import { describe, expect, it } from "vitest";
import { providerCache, SyncOutcome, syncCommitStatus, type SyncRecord } from "../../../shared/commitstatus";
import { commitStatus, NAMESPACE, reflected, SHA_A, syncDeps } from "../../helpers/commit-status-fixtures";

const target = { repo: { kind: "github", owner: "acme", name: "shop" }, sha: SHA_A, name: "deploy/shop" } as const;

/** The record of a first sync of the in-progress CommitStatus, as the handler stores it. */
const firstSync = async (deps: ReturnType<typeof syncDeps>["deps"]): Promise<SyncRecord> => {
  const result = await syncCommitStatus(commitStatus(), undefined, deps);
  if (result.kind !== SyncOutcome.Written) throw new Error(`first sync: ${result.kind}`);
  return result.record;
};

describe("Function: syncCommitStatus", () => {
  describe("writing", () => {
    it("returns Written with the provider ids when the CommitStatus was never synced", async () => {
      // Prepare
      const { deps, provider } = syncDeps();

      // Act
      const result = await syncCommitStatus(commitStatus(), undefined, deps);

      // Assess
      const shop = provider("github.com/acme/shop");
      expect(result).toMatchObject({
        kind: SyncOutcome.Written,
        record: { gitRepo: "shop", label: "github.com/acme/shop", sha: SHA_A, phase: "in_progress", providerIds: { checkRunId: 1 }, generation: 1 },
      });
      expect(shop.writes.map((w) => [w.target, w.desired.phase])).toEqual([[target, "in_progress"]]);
      expect(shop.reads).toEqual([]);
    });

    it("returns Written and updates the same status when the phase changes", async () => {
      // Prepare
      const { deps, provider } = syncDeps();
      const record = await firstSync(deps);
      const finished = commitStatus({ generation: 2, phase: "success", description: "rolled out", status: reflected(record) });

      // Act
      const result = await syncCommitStatus(finished, record, deps);

      // Assess
      const shop = provider("github.com/acme/shop");
      expect(result).toMatchObject({ kind: SyncOutcome.Written, record: { phase: "success", generation: 2, providerIds: { checkRunId: 1 } } });
      expect(result).not.toHaveProperty("drift");
      expect(shop.writes.map((w) => [w.desired.phase, w.written.outcome])).toEqual([
        ["in_progress", "created"],
        ["success", "updated"],
      ]);
    });
  });

  describe("nothing to write", () => {
    it("returns Skip without asking for a provider when the SCM and the status show the spec", async () => {
      // Prepare
      const { deps, providerRequests } = syncDeps();
      const record = await firstSync(deps);
      providerRequests.length = 0;

      // Act
      const result = await syncCommitStatus(commitStatus({ status: reflected(record) }), record, deps);

      // Assess
      expect(result).toEqual({ kind: SyncOutcome.Skip, reason: "in sync" });
      expect(providerRequests).toEqual([]);
    });

    it("returns WriteBack without an SCM request when only the status is behind", async () => {
      // Prepare: the SCM write of generation 2 landed, its write-back did not.
      const { deps, provider, providerRequests } = syncDeps();
      const record = await firstSync(deps);
      const edited = commitStatus({ generation: 2, status: reflected(record) });
      providerRequests.length = 0;

      // Act
      const result = await syncCommitStatus(edited, record, deps);

      // Assess
      expect(result).toEqual({ kind: SyncOutcome.WriteBack, record: { ...record, generation: 2 } });
      expect(providerRequests).toEqual([]);
      expect(provider("github.com/acme/shop").writes).toHaveLength(1);
    });

    it("returns Skip when the event is of an older generation than the record", async () => {
      // Prepare
      const { deps } = syncDeps();
      const record = { ...(await firstSync(deps)), generation: 3 };

      // Act
      const result = await syncCommitStatus(commitStatus({ generation: 2 }), record, deps);

      // Assess
      expect(result).toEqual({ kind: SyncOutcome.Skip, reason: "older generation" });
    });
  });

  describe("blocked", () => {
    it("returns Blocked naming the GitRepo when it does not exist", async () => {
      // Prepare
      const { deps, providerRequests } = syncDeps();

      // Act
      const result = await syncCommitStatus(commitStatus({ gitRepo: "gone" }), undefined, deps);

      // Assess
      expect(result).toEqual({
        kind: SyncOutcome.Blocked,
        reason: "InvalidSpec",
        message: `spec.gitRepoRef.name: GitRepo ${NAMESPACE}/gone not found`,
      });
      expect(providerRequests).toEqual([]);
    });

    it("returns Blocked naming the field when the spec's sha is not a commit id", async () => {
      // Prepare
      const { deps, api } = syncDeps();

      // Act
      const result = await syncCommitStatus(commitStatus({ sha: "main" }), undefined, deps);

      // Assess
      expect(result).toMatchObject({ kind: SyncOutcome.Blocked, reason: "InvalidSpec" });
      expect(result.kind === SyncOutcome.Blocked && result.message).toMatch(/^spec\.sha: must be a full commit id/);
      expect(api.gitRepoReads).toEqual([]);
    });

    it("returns Blocked naming the GitRepo's field when the GitRepo names no provider", async () => {
      // Prepare
      const { deps, api } = syncDeps();
      api.withGitRepo(NAMESPACE, "shop", { credentialsRef: { ssmParameter: "/kube-feedback/github" } });

      // Act
      const result = await syncCommitStatus(commitStatus(), undefined, deps);

      // Assess
      expect(result).toMatchObject({ kind: SyncOutcome.Blocked, reason: "InvalidSpec" });
      expect(result.kind === SyncOutcome.Blocked && result.message).toContain(`GitRepo ${NAMESPACE}/shop spec`);
    });

    it("returns Blocked with CredentialsUnavailable naming the reference when the secret cannot be read", async () => {
      // Prepare
      const { deps } = syncDeps();
      const providerFor = providerCache(async (reference) => {
        throw new Error(`parameter ${reference} not found`);
      });

      // Act
      const result = await syncCommitStatus(commitStatus(), undefined, { ...deps, providerFor });

      // Assess
      expect(result).toEqual({
        kind: SyncOutcome.Blocked,
        reason: "CredentialsUnavailable",
        message: "credentialsRef: cannot read ssm:/kube-feedback/github: parameter ssm:/kube-feedback/github not found",
      });
    });
  });
});
