import { describe, expect, it } from "vitest";
import { FakeCommitStatusProvider, sameStatus, statusDiff, TransientScmError, type StatusTarget } from "../../../shared/scm";

const target: StatusTarget = { repo: { kind: "github", owner: "acme", name: "shop" }, sha: "b".repeat(40), name: "ci/build" };

describe("Class: FakeCommitStatusProvider", () => {
  describe("Method: setStatus", () => {
    it("returns the same id when the remembered id is passed back, and records one write per call", async () => {
      // Prepare
      const provider = new FakeCommitStatusProvider();

      // Act
      const first = await provider.setStatus(target, { phase: "queued", description: "Queued" });
      const second = await provider.setStatus(target, { phase: "success", description: "Done", providerIds: first.providerIds });

      // Assess
      expect(first.outcome).toBe("created");
      expect(second).toMatchObject({ outcome: "updated", providerIds: first.providerIds });
      expect(provider.writesFor(target)).toHaveLength(2);
    });

    it("rejects with the injected error once, then writes", async () => {
      // Prepare
      const provider = new FakeCommitStatusProvider();
      provider.failNext(new TransientScmError("fake outage"));

      // Act & Assess
      await expect(provider.setStatus(target, { phase: "queued" })).rejects.toThrow("fake outage");
      await expect(provider.setStatus(target, { phase: "queued" })).resolves.toMatchObject({ outcome: "created" });
      expect(provider.writes).toHaveLength(1);
    });
  });

  describe("Method: getStatus", () => {
    it("returns undefined when nothing was written", async () => {
      // Act & Assess
      await expect(new FakeCommitStatusProvider().getStatus(target)).resolves.toBeUndefined();
    });

    it("returns a drifted status that statusDiff reports field by field", async () => {
      // Prepare
      const provider = new FakeCommitStatusProvider();
      const desired = { phase: "success", description: "Done", url: "https://ci/1" } as const;
      await provider.setStatus(target, desired);
      provider.drift(target, { description: "edited by hand", state: "neutral" });

      // Act
      const observed = await provider.getStatus(target);

      // Assess
      expect(observed).toMatchObject({ state: "neutral", description: "edited by hand" });
      expect(observed?.phase).toBeUndefined();
      expect(statusDiff(desired, observed!, provider)).toEqual(["phase", "description"]);
      expect(provider.reads).toHaveLength(1);
    });

    it("returns what was written, equal to the desired status", async () => {
      // Prepare
      const provider = new FakeCommitStatusProvider({ stateOf: (phase) => (phase === "queued" ? "pending" : phase) });
      await provider.setStatus(target, { phase: "queued", description: "Queued" });

      // Act
      const observed = await provider.getStatus(target);

      // Assess
      expect(observed).toMatchObject({ phase: "queued", state: "pending" });
      expect(sameStatus({ phase: "queued", description: "Queued" }, observed, provider)).toBe(true);
    });
  });
});
