import { describe, expect, it } from "vitest";
import {
  commitText,
  commitUrl,
  escapeHtml,
  escapeMrkdwn,
  failureOf,
  formatDuration,
  limitLines,
  PHASE_COLOR,
  PHASE_EMOJI,
  PHASE_LABEL,
  runNote,
  stageStatus,
  summaryLine,
  truncate,
} from "../../../shared/receivers/format";
import { PipelinePhase } from "../../../shared/pipeline/types";
import { pipelineInfo } from "../../helpers/fake-chat";

describe("Function: formatDuration", () => {
  it.each([
    { start: "2024-05-01T10:00:00Z", end: "2024-05-01T10:00:45Z", expected: "45s" },
    { start: "2024-05-01T10:00:00Z", end: "2024-05-01T10:02:05Z", expected: "2m 05s" },
    { start: "2024-05-01T10:00:00Z", end: "2024-05-01T11:02:05Z", expected: "1h 02m" },
    { start: "2024-05-01T10:00:00Z", end: "2024-05-01T10:00:00Z", expected: "0s" },
    { start: "2024-05-01T10:00:00Z", end: undefined, expected: undefined },
    { start: "2024-05-01T10:00:10Z", end: "2024-05-01T10:00:00Z", expected: undefined },
    { start: "yesterday", end: "2024-05-01T10:00:00Z", expected: undefined },
  ])("returns $expected for $start → $end", ({ start, end, expected }) => {
    // Assess
    expect(formatDuration(start, end)).toBe(expected);
  });
});

describe("Function: phase tables", () => {
  it("has an emoji, a label and a colour for every phase", () => {
    // Assess
    for (const phase of Object.values(PipelinePhase)) {
      expect(PHASE_EMOJI[phase]).toBeTruthy();
      expect(PHASE_LABEL[phase]).toBeTruthy();
      expect(PHASE_COLOR[phase]).toBeGreaterThan(0);
    }
  });
});

describe("Function: summaryLine", () => {
  it("returns emoji, run, phase and duration", () => {
    // Assess
    expect(summaryLine(pipelineInfo({ phase: "timed_out" }))).toBe("⏱️ PipelineRun ci/build-7k2x9 timed out in 2m 05s");
    expect(summaryLine(pipelineInfo({ phase: "running", finishedAt: undefined }))).toBe("🔄 PipelineRun ci/build-7k2x9 running");
  });
});

describe("Function: stageStatus", () => {
  it("returns phase and duration, or the phase alone while unfinished", () => {
    // Assess
    expect(stageStatus({ name: "a", phase: "failed", startedAt: "2024-05-01T10:00:00Z", finishedAt: "2024-05-01T10:00:03Z" })).toBe("❌ Failed · 3s");
    expect(stageStatus({ name: "a", phase: "pending" })).toBe("⏳ Pending");
  });
});

describe("Function: commitText", () => {
  it.each([
    { name: "a branch push", git: pipelineInfo().git, expected: "acme/shop-api@3f78685 (main)" },
    { name: "a pull request", git: { ...pipelineInfo().git, pr: "42" }, expected: "acme/shop-api@3f78685 (PR #42)" },
    { name: "a sha without repository", git: { sha: "abcdef0123456789" }, expected: "abcdef0" },
    { name: "no sha", git: { repoUrl: "https://github.com/a/b" }, expected: undefined },
    { name: "no git context", git: undefined, expected: undefined },
  ])("returns $expected for $name", ({ git, expected }) => {
    // Assess
    expect(commitText(git)).toBe(expected);
  });
});

describe("Function: commitUrl", () => {
  it.each([
    { provider: "github", repoUrl: "https://github.com/a/b.git", expected: "https://github.com/a/b/commit/abc" },
    { provider: "gitlab", repoUrl: "https://gitlab.com/g/s/p", expected: "https://gitlab.com/g/s/p/-/commit/abc" },
    { provider: "bitbucket-cloud", repoUrl: "https://bitbucket.org/a/b", expected: "https://bitbucket.org/a/b/commits/abc" },
    { provider: "github", repoUrl: "git@github.com:a/b.git", expected: undefined },
  ])("returns $expected for $provider $repoUrl", ({ provider, repoUrl, expected }) => {
    // Assess
    expect(commitUrl({ provider, repoUrl, sha: "abc" })).toBe(expected);
  });
});

describe("Function: limitLines", () => {
  it("keeps short lists and replaces the tail of long ones with a count", () => {
    // Assess
    expect(limitLines(["a", "b"], 2)).toEqual(["a", "b"]);
    expect(limitLines(["a", "b", "c", "d"], 3)).toEqual(["a", "b", "… and 2 more"]);
  });
});

describe("Function: escapes", () => {
  it("escapes HTML, Slack mrkdwn and truncates with an ellipsis", () => {
    // Assess
    expect(escapeHtml(`<b a="1">'&'</b>`)).toBe("&lt;b a=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;");
    expect(escapeMrkdwn("a <@U1> & b")).toBe("a &lt;@U1&gt; &amp; b");
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
  });
});

describe("Function: failureOf", () => {
  const EXIT = '"step-go-test" exited with code 1';

  it.each([
    { case: "a succeeded run", info: pipelineInfo(), expected: undefined },
    { case: "a running run", info: pipelineInfo({ phase: "running" }), expected: undefined },
    {
      case: "the first failed stage and its message",
      info: pipelineInfo({ phase: "failed", message: "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0", stages: [{ name: "lint", phase: "skipped" }, { name: "unit-tests", phase: "failed", message: `${EXIT}\n` }, { name: "e2e", phase: "timed_out", message: "later" }] }),
      expected: { stage: "unit-tests", reason: EXIT },
    },
    {
      case: "a Job, its own only stage",
      info: pipelineInfo({ kind: "Job", name: "etl-nightly-28995360", phase: "failed", message: "Job has reached the specified backoff limit", stages: [{ name: "etl-nightly-28995360", phase: "failed", message: "Job has reached the specified backoff limit" }] }),
      expected: { reason: "Job has reached the specified backoff limit" },
    },
    {
      case: "a timed-out run: the cancelled stage, the run's message",
      info: pipelineInfo({ phase: "timed_out", message: "PipelineRun timed out", stages: [{ name: "deploy", phase: "cancelled", message: "TaskRun cancelled" }] }),
      expected: { stage: "deploy", reason: "PipelineRun timed out" },
    },
    { case: "a cancelled run: where, not why", info: pipelineInfo({ phase: "cancelled", message: "cancelled by user", stages: [{ name: "deploy", phase: "cancelled" }] }), expected: { stage: "deploy" } },
  ])("returns $expected for $case", ({ info, expected }) => {
    // Act
    const failure = failureOf(info);

    // Assess
    expect(failure).toEqual(expected);
  });
});

describe("Function: runNote", () => {
  it.each([
    { case: "a run that failed at a stage", info: pipelineInfo({ phase: "failed", message: "Tasks Completed: 2 (Failed: 1)", stages: [{ name: "test", phase: "failed", message: "exit 1" }] }), expected: "Failed at test: exit 1" },
    { case: "a failed run with no stage to blame", info: pipelineInfo({ phase: "failed", message: "Tasks Completed: 2 (Failed: 1)" }), expected: "Tasks Completed: 2 (Failed: 1)" },
    { case: "a succeeded run", info: pipelineInfo({ message: "all good" }), expected: "all good" },
    { case: "a run without a message", info: pipelineInfo(), expected: undefined },
  ])("returns $expected for $case", ({ info, expected }) => {
    // Act
    const note = runNote(info);

    // Assess
    expect(note).toBe(expected);
  });
});
