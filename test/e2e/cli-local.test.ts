import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, repoRoot as root } from "../helpers/cli-process";

const lifecycleOf = (out: string, run: string) =>
  out
    .split("\n")
    .filter((line) => line.includes(run) && /^(○|▶|■) /.test(line))
    .map((line) => line.split(/\s+/)[1]);

describe("Command: kube-feedback local", async () => {
  it("replays the bundled Tekton and Job runs with no cluster and exits 0", async () => {
    // Act
    const result = await cli("local");

    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("no cluster answers: replaying the bundled recordings");
    expect(lifecycleOf(result.stdout, "PipelineRun ci/build-and-test-x7k2p")).toEqual(["created", "started", "finished"]);
    expect(lifecycleOf(result.stdout, "Job ci/db-migrate-28871")).toEqual(["created", "started", "finished"]);
    // The Tekton run's stage table, built from its TaskRuns.
    expect(result.stdout).toMatch(/clone\s+succeeded\s+12s\n\s+build\s+succeeded\s+48s\n\s+test\s+succeeded\s+26s/);
    expect(result.stdout).toMatch(/watch events replayed\s+14/);
    expect(result.stdout).toMatch(/dead-lettered\s+0/);
  }, 150_000);

  it("stops at start with the key's path when the config has an unknown key", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "kube-feedback-"));
    const file = join(dir, "feedback.yaml");
    writeFileSync(file, "cluster: a\nwatch: [{ version: v1, resource: jobs }]\nreceivers: [{ name: c, type: console, optons: {} }]\n");

    // Act
    const result = await cli("local", "--config", file);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("receivers[0].optons: unknown key");
  }, 150_000);

  it("says at start which receiver cannot start, and still tells the others", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "kube-feedback-"));
    const file = join(dir, "feedback.yaml");
    writeFileSync(
      file,
      [
        "cluster: local",
        "watch: [{ group: batch, version: v1, resource: jobs }]",
        "receivers:",
        "  - { name: console, type: console }",
        "  - { name: hook, type: webhook, options: { url: 'http://127.0.0.1:1/hook', secret: 'env:KF_CLI_UNSET' } }",
        "processing: { maxRetries: 0 }",
        "",
      ].join("\n"),
    );

    // Act
    const result = await cli("local", "--config", file, "--replay", join(root, "recordings", "job.ndjson"));

    // Assess: the console receiver tells the whole run; the webhook's messages reach the DLQ.
    const lines = result.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("✗ "))).toEqual([
      "✗ cannot start receiver hook: options.secret: environment variable KF_CLI_UNSET is not set (its callbacks are retried)",
    ]);
    expect(lifecycleOf(result.stdout, "Job ci/db-migrate-28871")).toEqual(["created", "started", "finished"]);
    expect(result.status).toBe(1);
  }, 150_000);
});

describe("Command: kube-feedback check", async () => {
  it("exits 2 and names the receiver and key whose secret cannot be read", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "kube-feedback-"));
    const file = join(dir, "feedback.yaml");
    writeFileSync(file, "cluster: a\nwatch: [{ version: v1, resource: jobs }]\nreceivers: [{ name: hook, type: slack, options: { url: 'env:KF_CLI_UNSET' } }]\n");

    // Act
    const result = await cli("check", "--config", file);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stdout).toContain("✗ cannot start receiver hook: options.url: environment variable KF_CLI_UNSET is not set");
  }, 150_000);

  it("exits 0 for the embedded default", async () => {
    const result = await cli("check");
    expect(result.status).toBe(0);
  }, 150_000);
});
