import { describe, expect, it } from "vitest";
import { GitHubProvider, GitLabProvider, sameStatus, statusDiff, type ObservedStatus } from "../../../shared/scm/providers";

const gitHubToken = new GitHubProvider({ token: "t" });
const gitLab = new GitLabProvider({ token: "t" });

describe("Function: sameStatus", () => {
  it("returns true when phase, description, url and details are equal", () => {
    // Prepare
    const desired = { phase: "in_progress", description: "Running", url: "https://ci/1", details: "| a |" } as const;

    // Act & Assess
    expect(sameStatus(desired, { ...desired })).toBe(true);
  });

  it("returns false when nothing is remembered", () => {
    // Act & Assess
    expect(sameStatus({ phase: "queued" }, undefined)).toBe(false);
  });

  it("treats a missing description or url as empty", () => {
    // Act & Assess
    expect(sameStatus({ phase: "success", description: "", url: "" }, { phase: "success" })).toBe(true);
  });

  it("returns true for queued after in_progress on GitHub commit statuses, where both are pending", () => {
    // Act & Assess
    expect(sameStatus({ phase: "queued", description: "x" }, { phase: "in_progress", description: "x" }, gitHubToken)).toBe(true);
    expect(sameStatus({ phase: "queued", description: "x" }, { phase: "in_progress", description: "x" }, gitLab)).toBe(false);
  });

  it("ignores details where the provider cannot show them", () => {
    // Act & Assess
    expect(sameStatus({ phase: "success", details: "| a |" }, { phase: "success", details: "| b |" }, gitLab)).toBe(true);
    expect(sameStatus({ phase: "success", details: "| a |" }, { phase: "success", details: "| b |" })).toBe(false);
  });

  it("compares descriptions after the provider cuts them to its limit", () => {
    // Prepare
    const long = "d".repeat(300);

    // Act & Assess
    expect(sameStatus({ phase: "success", description: `${long}1` }, { phase: "success", description: `${long}2` }, gitLab)).toBe(true);
  });
});

describe("Function: statusDiff", () => {
  it("returns the fields an observed status differs in, comparing the raw provider state", () => {
    // Prepare
    const observed: ObservedStatus = { state: "error", phase: "canceled", description: "Changed by hand", url: "https://ci/1", providerIds: {} };

    // Act
    const diff = statusDiff({ phase: "success", description: "Done", url: "https://ci/1" }, observed, gitHubToken);

    // Assess
    expect(diff).toEqual(["phase", "description"]);
  });

  it("returns phase when the SCM holds a state that has no phase", () => {
    // Prepare
    const observed: ObservedStatus = { state: "completed/neutral", description: "", url: "", providerIds: {} };

    // Act & Assess
    expect(statusDiff({ phase: "success" }, observed)).toEqual(["phase"]);
  });

  it("returns an empty list when a truncated observation matches the rendered desire", () => {
    // Prepare
    const description = "x".repeat(200);
    const written = gitHubToken.render({ phase: "queued", description });
    const observed: ObservedStatus = { state: "pending", ...written, providerIds: { statusId: 1 } };

    // Act & Assess
    expect(statusDiff({ phase: "in_progress", description }, observed, gitHubToken)).toEqual([]);
  });
});
