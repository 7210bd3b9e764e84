import { describe, expect, it } from "vitest";
import { syncedStatus, type SyncRecord } from "../../../shared/commitstatus";

const record = (fields: Partial<SyncRecord> = {}): SyncRecord => ({
  gitRepo: "shop",
  type: "github",
  repo: { kind: "github", owner: "acme", name: "shop" },
  label: "github.com/acme/shop",
  sha: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
  name: "ci/build",
  phase: "success",
  description: "built",
  url: "https://ci.example.com/runs/1",
  providerIds: { checkRunId: 7 },
  generation: 2,
  ...fields,
});

describe("Function: syncedStatus", () => {
  it("writes back what the SCM shows, with the provider's ids as the CRD declares them", () => {
    // Act
    const status = syncedStatus(record(), new Date("2026-12-02T10:00:00Z"));

    // Assess
    expect(status).toMatchObject({ isSynced: true, description: "built", url: "https://ci.example.com/runs/1", provider: { github: { checkRunId: 7 } }, observedGeneration: 2 });
  });

  it("leaves an empty url and description out of the patch, which the API server would refuse", () => {
    // Act
    const status = syncedStatus(record({ url: "", description: "" }), new Date("2026-12-02T10:00:00Z"));

    // Assess
    expect(status).not.toHaveProperty("url");
    expect(status).not.toHaveProperty("description");
    expect(status).toMatchObject({ isSynced: true, phase: "success" });
  });
});
