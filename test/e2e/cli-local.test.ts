import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = join(root, "node_modules", ".bin", "tsx");

/** Runs the CLI from source the way `npm start` runs its bundle, with no cluster around. */
const cli = (...args: string[]) =>
  spawnSync(tsx, ["cli/main.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, KUBECONFIG: join(tmpdir(), "kube-feedback-no-such-kubeconfig"), POWERTOOLS_LOG_LEVEL: "WARN" },
  });

const lifecycleOf = (out: string, run: string) =>
  out
    .split("\n")
    .filter((line) => line.includes(run) && /^(○|▶|■) /.test(line))
    .map((line) => line.split(/\s+/)[1]);

describe("Command: kube-feedback local", () => {
  it("replays the bundled Tekton and Job runs with no cluster and exits 0", () => {
    // Act
    const result = cli("local");

    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("no cluster answers: replaying the bundled recordings");
    expect(lifecycleOf(result.stdout, "PipelineRun ci/build-and-test-x7k2p")).toEqual(["created", "started", "finished"]);
    expect(lifecycleOf(result.stdout, "Job ci/db-migrate-28871")).toEqual(["created", "started", "finished"]);
    // The Tekton run's stage table, built from its TaskRuns.
    expect(result.stdout).toMatch(/clone\s+succeeded\s+12s\n\s+build\s+succeeded\s+48s\n\s+test\s+succeeded\s+26s/);
    expect(result.stdout).toMatch(/watch events replayed\s+14/);
    expect(result.stdout).toMatch(/dead-lettered\s+0/);
  });

  it("stops at start with the key's path when the config has an unknown key", () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "kube-feedback-"));
    const file = join(dir, "feedback.yaml");
    writeFileSync(file, "cluster: a\nwatch: [{ version: v1, resource: jobs }]\nreceivers: [{ name: c, type: console, optons: {} }]\n");

    // Act
    const result = cli("local", "--config", file);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("receivers[0].optons: unknown key");
  });
});
