import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStateDir } from "../../cli/local/state-dir";
import { repoRoot, startCli } from "../helpers/cli-process";
import { HoldingWebhook } from "../helpers/holding-webhook";

const LIFECYCLE = ["created", "started", "finished"] as const;

/** A Job's three watch events: created (pending), running, complete. */
const jobEvents = (n: number): string[] => {
  const metadata = (rv: number) => ({ name: `build-${n}`, namespace: "ci", uid: `0000000-job-${n}`, resourceVersion: String(1000 + n * 10 + rv) });
  const job = (rv: number, status?: Record<string, unknown>) =>
    JSON.stringify({ apiVersion: "batch/v1", kind: "Job", metadata: metadata(rv), ...(status ? { status } : {}) });
  return [
    `{"type":"ADDED","object":${job(1)}}`,
    `{"type":"MODIFIED","object":${job(2, { startTime: "2026-11-20T10:00:00Z", active: 1 })}}`,
    `{"type":"MODIFIED","object":${job(3, {
      startTime: "2026-11-20T10:00:00Z",
      completionTime: "2026-11-20T10:01:00Z",
      succeeded: 1,
      conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2026-11-20T10:01:00Z" }],
    })}}`,
  ];
};

/** A recording of `jobs` Jobs run one after the other: three lifecycle callbacks each. */
const writeRecording = (dir: string, jobs: number): string => {
  const file = join(dir, "jobs.ndjson");
  writeFileSync(file, `${Array.from({ length: jobs }, (_, i) => jobEvents(i + 1).join("\n")).join("\n")}\n`);
  return file;
};

/** One webhook receiver; the processing settings are the defaults (a 120 s lease, five retries). */
const writeConfig = (dir: string, url: string, events: readonly string[]): string => {
  const file = join(dir, "feedback.yaml");
  writeFileSync(
    file,
    [
      "cluster: local",
      "watch: [{ group: batch, version: v1, resource: jobs }]",
      `receivers: [{ name: hook, type: webhook, options: { url: '${url}', events: [${events.join(", ")}] } }]`,
      "",
    ].join("\n"),
  );
  return file;
};

describe("Command: kube-feedback local --state-dir", () => {
  let hook: HoldingWebhook;
  let dir: string;

  beforeEach(async () => {
    hook = await new HoldingWebhook().start();
    dir = mkdtempSync(join(tmpdir(), "kube-feedback-state-"));
  });

  afterEach(async () => {
    await hook.stop();
  });

  it("tells the receivers nothing when the same recordings are replayed a second time", async () => {
    // Prepare: every callback, progress included.
    const config = writeConfig(dir, hook.url, ["created", "started", "progress", "finished"]);
    const recordings = ["tekton-pipelinerun.ndjson", "job.ndjson"].flatMap((name) => ["--replay", join(repoRoot, "recordings", name)]);
    const stateDir = join(dir, "state");
    const first = await startCli(["local", "--config", config, "--state-dir", stateDir, ...recordings]).result;
    const heardFirst = hook.heard.length;

    // Act
    const second = await startCli(["local", "--config", config, "--state-dir", stateDir, ...recordings]).result;

    // Assess
    expect(first.status).toBe(0);
    expect(new Set(hook.heard.filter((c) => c.event !== "progress").map((c) => `${c.name} ${c.event}`))).toEqual(
      new Set(["build-and-test-x7k2p", "db-migrate-28871"].flatMap((name) => LIFECYCLE.map((event) => `${name} ${event}`))),
    );
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/watch events replayed\s+14/);
    expect(hook.heard.length).toBe(heardFirst);
  }, 150_000);

  it("after a SIGKILL in the middle of a replay, hears every lifecycle callback, and twice only the one in flight", async () => {
    // Prepare: 12 Jobs, 36 lifecycle callbacks, one call per watch event.
    const jobs = 12;
    const recording = writeRecording(dir, jobs);
    const config = writeConfig(dir, hook.url, LIFECYCLE);
    const stateDir = join(dir, "state");
    const inFlight = hook.holdAt(18);
    const killed = startCli(["local", "--config", config, "--state-dir", stateDir, "--replay", recording]);
    const held = await inFlight;

    // Act: killed while the 18th call waits for its answer, then started again on the same directory.
    killed.kill("SIGKILL");
    const end = await killed.result;
    const heardBeforeRestart = hook.heard.length;
    const restarted = await startCli(["local", "--config", config, "--replay", recording], { KUBE_FEEDBACK_STATE_DIR: stateDir }).result;

    // Assess
    expect(end.signal).toBe("SIGKILL");
    expect(heardBeforeRestart).toBe(18);
    // The lock died with the killed process; every callback at least once, twice only the one whose answer never came back.
    expect(restarted.status).toBe(0);
    expect(restarted.stdout).toMatch(/dead-lettered\s+0/);
    const counts = hook.counts();
    const expected = Array.from({ length: jobs }, (_, i) => LIFECYCLE.map((event) => `0000000-job-${i + 1} ${event}`)).flat();
    expect([...counts.keys()].sort()).toEqual([...expected].sort());
    const repeated = [...counts].filter(([, count]) => count > 1);
    expect(repeated).toEqual([[`${held.uid} ${held.event}`, 2]]);
    expect(held).toMatchObject({ uid: "0000000-job-6", event: "finished" });
  }, 150_000);

  it("stops at start with exit 2, naming --state-dir, when another process holds the directory", async () => {
    // Prepare: this test's process holds the directory's lock.
    const stateDir = join(dir, "state");
    const holder = await openStateDir(stateDir);
    const config = writeConfig(dir, hook.url, LIFECYCLE);

    // Act
    const result = await startCli(["local", "--config", config, "--state-dir", stateDir, "--replay", join(repoRoot, "recordings", "job.ndjson")]).result;
    await holder.release();

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--state-dir ${stateDir}: in use by another kube-feedback process`);
    expect(hook.heard).toEqual([]);
  }, 150_000);

  it("stops at start with exit 2, naming --state-dir, when the directory cannot be created", async () => {
    // Prepare: a path under a regular file (the tests may run as root, whom permissions do not stop).
    const file = join(dir, "not-a-directory");
    writeFileSync(file, "");
    const config = writeConfig(dir, hook.url, LIFECYCLE);

    // Act
    const result = await startCli(["local", "--config", config, "--replay", join(repoRoot, "recordings", "job.ndjson")], {
      KUBE_FEEDBACK_STATE_DIR: join(file, "state"),
    }).result;

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--state-dir ${join(file, "state")}: cannot be created or written`);
    expect(hook.heard).toEqual([]);
  }, 150_000);
});
