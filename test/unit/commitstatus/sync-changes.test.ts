import { describe, expect, it } from "vitest";
import { SyncOutcome, syncCommitStatus, type SyncDeps, type SyncRecord } from "../../../shared/commitstatus";
import { TransientScmError } from "../../../shared/scm";
import { commitStatus, gitRepoSpec, NAMESPACE, reflected, SHA_A, SHA_B, syncDeps } from "../../helpers/commit-status-fixtures";

const shopTarget = { repo: { kind: "github", owner: "acme", name: "shop" }, sha: SHA_A, name: "deploy/shop" } as const;

const written = async (deps: SyncDeps, object = commitStatus()): Promise<SyncRecord> => {
  const result = await syncCommitStatus(object, undefined, deps);
  if (result.kind !== SyncOutcome.Written) throw new Error(`first sync: ${result.kind}`);
  return result.record;
};

describe("Function: syncCommitStatus", () => {
  describe("drift", () => {
    it("returns DriftReported naming the field and writes nothing when the GitRepo's driftPolicy is report", async () => {
      // Prepare
      const { deps, provider } = syncDeps("report");
      const record = await written(deps, commitStatus({ phase: "success" }));
      provider("github.com/acme/shop").drift(shopTarget, { phase: "failure" });

      // Act
      const result = await syncCommitStatus(commitStatus({ phase: "success", status: reflected(record) }), record, deps, true);

      // Assess
      expect(result).toEqual({ kind: SyncOutcome.DriftReported, message: "drift: phase changed in the SCM (success → failure)" });
      expect(provider("github.com/acme/shop").writes).toHaveLength(1);
    });

    it("returns Written with the drift it overwrote when the GitRepo's driftPolicy is overwrite", async () => {
      // Prepare
      const { deps, provider } = syncDeps("overwrite");
      const record = await written(deps, commitStatus({ phase: "success" }));
      const shop = provider("github.com/acme/shop");
      shop.drift(shopTarget, { phase: "failure" });

      // Act
      const result = await syncCommitStatus(commitStatus({ phase: "success", status: reflected(record) }), record, deps, true);

      // Assess
      expect(result).toMatchObject({ kind: SyncOutcome.Written, drift: "drift: phase changed in the SCM (success → failure) (overwritten)" });
      expect((await shop.getStatus(shopTarget))?.phase).toBe("success");
      expect(shop.writes.at(-1)?.written.outcome).toBe("updated");
    });

    it("returns Skip after reading the SCM once when a forced re-check finds no drift", async () => {
      // Prepare
      const { deps, provider } = syncDeps();
      const record = await written(deps);

      // Act
      const result = await syncCommitStatus(commitStatus({ status: reflected(record) }), record, deps, true);

      // Assess
      expect(result).toEqual({ kind: SyncOutcome.Skip, reason: "in sync" });
      expect(provider("github.com/acme/shop").reads).toEqual([shopTarget]);
      expect(provider("github.com/acme/shop").writes).toHaveLength(1);
    });
  });

  describe("cancel on change", () => {
    it("cancels the old commit's status before writing the new one when the sha changes in progress", async () => {
      // Prepare
      const { deps, provider } = syncDeps();
      const record = await written(deps);

      // Act
      const result = await syncCommitStatus(commitStatus({ generation: 2, sha: SHA_B, status: reflected(record) }), record, deps);

      // Assess
      expect(result).toMatchObject({ kind: SyncOutcome.Written, record: { sha: SHA_B } });
      expect(provider("github.com/acme/shop").writes.map((w) => [w.target.sha, w.desired.phase, w.desired.description])).toEqual([
        [SHA_A, "in_progress", "rolling out"],
        [SHA_A, "canceled", `superseded by ${SHA_B.slice(0, 12)}`],
        [SHA_B, "in_progress", "rolling out"],
      ]);
    });

    it("cancels nothing when the old commit's status had finished", async () => {
      // Prepare
      const { deps, provider } = syncDeps();
      const record = await written(deps, commitStatus({ phase: "success" }));

      // Act
      await syncCommitStatus(commitStatus({ generation: 2, sha: SHA_B, phase: "success", status: reflected(record) }), record, deps);

      // Assess
      expect(provider("github.com/acme/shop").writes.map((w) => [w.target.sha, w.desired.phase])).toEqual([
        [SHA_A, "success"],
        [SHA_B, "success"],
      ]);
    });

    it("cancels through the old GitRepo's provider when the resource moves to another repository", async () => {
      // Prepare
      const { deps, api, provider } = syncDeps();
      api.withGitRepo(NAMESPACE, "web", gitRepoSpec("web"));
      const record = await written(deps);

      // Act
      const result = await syncCommitStatus(commitStatus({ generation: 2, gitRepo: "web", status: reflected(record) }), record, deps);

      // Assess
      expect(result).toMatchObject({ kind: SyncOutcome.Written, record: { gitRepo: "web", label: "github.com/acme/web" } });
      expect(provider("github.com/acme/shop").writes.map((w) => w.desired.phase)).toEqual(["in_progress", "canceled"]);
      expect(provider("github.com/acme/web").writes.map((w) => [w.target.repo, w.desired.phase])).toEqual([
        [{ kind: "github", owner: "acme", name: "web" }, "in_progress"],
      ]);
    });

    it("writes the new status and logs a warning when cancelling the old one fails", async () => {
      // Prepare
      const { deps, provider, warnings } = syncDeps();
      const record = await written(deps);
      provider("github.com/acme/shop").failNext(new TransientScmError("502 Bad Gateway"));

      // Act
      const result = await syncCommitStatus(commitStatus({ generation: 2, sha: SHA_B, status: reflected(record) }), record, deps);

      // Assess
      expect(result).toMatchObject({ kind: SyncOutcome.Written, record: { sha: SHA_B } });
      expect(provider("github.com/acme/shop").writes.map((w) => [w.target.sha, w.desired.phase])).toEqual([
        [SHA_A, "in_progress"],
        [SHA_B, "in_progress"],
      ]);
      expect(warnings).toEqual([
        { message: "could not cancel the status of the previous commit", fields: { repo: "github.com/acme/shop", sha: SHA_A, error: "502 Bad Gateway" } },
      ]);
    });
  });
});
