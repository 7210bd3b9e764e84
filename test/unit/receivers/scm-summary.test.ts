import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PipelinePhase, type PipelineInfo, type Stage } from "../../../shared/pipeline/types";
import { checkRunDetails, failureMarkdown, runOutcome, stageTableMarkdown, statusDescription } from "../../../shared/receivers/scm-summary";

const P = PipelinePhase;
const NAME = "build-and-test-x7k2p";
const STARTED = "2026-11-20T10:00:01Z";
const FINISHED = "2026-11-20T10:01:04Z";
const EXIT = '"step-build" exited with code 1';
/** GitHub commit status descriptions (422 beyond). */
const GITHUB_STATUS = 140;

const stage = (name: string, phase: PipelinePhase, extra: Partial<Stage> = {}): Stage => ({ name, phase, ...extra });
const timed = (name: string, phase: PipelinePhase, seconds: number): Stage =>
  stage(name, phase, { startedAt: "2026-11-20T10:00:00Z", finishedAt: new Date(Date.parse("2026-11-20T10:00:00Z") + seconds * 1000).toISOString() });

type Described = Pick<PipelineInfo, "name" | "phase" | "stages" | "startedAt" | "finishedAt" | "message">;
const run = (phase: PipelinePhase, stages: Stage[] = [], extra: Partial<Described> = {}): Described => ({
  name: NAME,
  phase,
  stages,
  startedAt: STARTED,
  finishedAt: FINISHED,
  ...extra,
});

describe("Function: statusDescription", () => {
  it.each<{ case: string; info: Described; expected: string }>([
    { case: "a queued run", info: run(P.Pending), expected: `${NAME}: Queued` },
    { case: "a running run without stages", info: run(P.Running), expected: `${NAME}: Running` },
    {
      case: "a running run",
      info: run(P.Running, [stage("clone", P.Succeeded), stage("build", P.Running)]),
      expected: `${NAME}: Running: 1/2 stages succeeded`,
    },
    {
      case: "a running run with a failed stage",
      info: run(P.Running, [stage("lint", P.Failed), stage("build", P.Succeeded), stage("test", P.Running)]),
      expected: `${NAME}: Running, lint failed: 1/3 stages succeeded`,
    },
    {
      case: "a running run with two failed stages",
      info: run(P.Running, [stage("lint", P.Failed), stage("build", P.TimedOut), stage("test", P.Running)]),
      expected: `${NAME}: Running, 2 stages failed: 0/3 stages succeeded`,
    },
    {
      case: "a succeeded run",
      info: run(P.Succeeded, [stage("a", P.Succeeded), stage("b", P.Succeeded), stage("c", P.Succeeded)]),
      expected: `${NAME}: 3/3 stages succeeded in 1m 03s`,
    },
    { case: "a succeeded run without stages", info: run(P.Succeeded), expected: `${NAME}: Succeeded in 1m 03s` },
    {
      case: "a failed stage without a message",
      info: run(P.Failed, [stage("build", P.Succeeded), stage("test", P.Failed)]),
      expected: `${NAME}: Failed at test: 1/2 stages succeeded in 1m 03s`,
    },
    {
      case: "a failed Tekton task, whose TaskRun says why",
      info: run(P.Failed, [stage("build", P.Succeeded), stage("test", P.Failed, { message: EXIT })], { message: "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0" }),
      expected: `${NAME}: Failed at test: ${EXIT} (1/2 stages succeeded in 1m 03s)`,
    },
    {
      case: "a skipped stage before the failed one",
      info: run(P.Failed, [stage("lint", P.Skipped, { message: "when expressions false" }), stage("test", P.Failed, { message: EXIT })]),
      expected: `${NAME}: Failed at test: ${EXIT} (0/2 stages succeeded in 1m 03s)`,
    },
    {
      case: "a Job, its own only stage",
      info: run(P.Failed, [stage("etl-nightly-28995360", P.Failed, { message: "Job has reached the specified backoff limit" })], { name: "etl-nightly-28995360" }),
      expected: "etl-nightly-28995360: Failed: Job has reached the specified backoff limit (0/1 stages succeeded in 1m 03s)",
    },
    {
      case: "a run that failed before any stage",
      info: run(P.Failed, [], { message: "PipelineRun ci/build-and-test-x7k2p can't be Run; it has an invalid spec" }),
      expected: `${NAME}: Failed: PipelineRun ci/build-and-test-x7k2p can't be Run; it has an invalid spec (in 1m 03s)`,
    },
    {
      case: "a timed-out run whose running task was cancelled",
      info: run(P.TimedOut, [stage("deploy", P.Cancelled, { message: "TaskRun cancelled as the PipelineRun it belongs to has timed out." })], {
        message: 'PipelineRun "build-and-test-x7k2p" failed to finish within "1h0m0s"',
      }),
      expected: `${NAME}: Timed out at deploy: PipelineRun "build-and-test-x7k2p" failed to finish within "1h0m0s" (0/1 stages succeeded in 1m 03s)`,
    },
    {
      case: "an errored Argo node with a message over several lines",
      info: run(P.Errored, [stage("fail", P.Errored, { message: "Error (exit code 1):\n  pod deleted" })]),
      expected: `${NAME}: Errored at fail: Error (exit code 1): pod deleted (0/1 stages succeeded in 1m 03s)`,
    },
    { case: "a cancelled run", info: run(P.Cancelled), expected: `${NAME}: Cancelled in 1m 03s` },
    {
      case: "a cancelled run (no reason: nothing failed)",
      info: run(P.Cancelled, [stage("a", P.Succeeded), stage("b", P.Cancelled, { message: "TaskRun cancelled" })]),
      expected: `${NAME}: Cancelled at b: 1/2 stages succeeded in 1m 03s`,
    },
  ])("returns the named line for $case", ({ info, expected }) => {
    // Act
    const description = statusDescription(info);

    // Assess
    expect(description).toBe(expected);
  });

  it.each<{ case: string; info: Described; limit: number; expected: string }>([
    {
      case: "drops the tally before the reason",
      info: run(P.Failed, [stage("test", P.Failed, { message: "x".repeat(95) })]),
      limit: GITHUB_STATUS,
      expected: `${NAME}: Failed at test: ${"x".repeat(95)}`,
    },
    {
      case: "then cuts the reason, marking the cut",
      info: run(P.Failed, [stage("test", P.Failed, { message: "y".repeat(300) })]),
      limit: GITHUB_STATUS,
      expected: `${NAME}: Failed at test: ${"y".repeat(GITHUB_STATUS - NAME.length - 2 - "Failed at test: ".length - 1)}…`,
    },
    {
      case: "falls back to the cut tally when too little room is left for a reason",
      info: run(P.Failed, [stage("deploy-to-the-staging-cluster-01", P.Failed, { message: "z".repeat(300) })]),
      limit: 80,
      expected: `${`${NAME}: Failed at deploy-to-the-staging-cluster-01: 0/1 stages succeeded in 1m 03s`.slice(0, 79)}…`,
    },
    {
      case: "cuts a name longer than the limit, and only then",
      info: run(P.Succeeded, [], { name: "n".repeat(150) }),
      limit: GITHUB_STATUS,
      expected: `${"n".repeat(GITHUB_STATUS - 1)}…`,
    },
    {
      case: "keeps everything that fits",
      info: run(P.Failed, [stage("test", P.Failed, { message: EXIT })]),
      limit: 255,
      expected: `${NAME}: Failed at test: ${EXIT} (0/1 stages succeeded in 1m 03s)`,
    },
  ])("$case", ({ info, limit, expected }) => {
    // Act
    const description = statusDescription(info, limit);

    // Assess
    expect(description).toBe(expected);
    expect(description.length).toBeLessThanOrEqual(limit);
  });

  it("always starts with the run's name, fits the limit and shows why a failed stage failed", () => {
    const k8sName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
    const message = fc.option(fc.string({ maxLength: 400 }), { nil: undefined });
    const stageArb = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/),
      phase: fc.constantFrom(...Object.values(P)),
      message,
    });
    fc.assert(
      fc.property(
        k8sName,
        fc.constantFrom(P.Pending, P.Running, P.Succeeded, P.Failed, P.Errored, P.TimedOut, P.Cancelled),
        fc.array(stageArb, { maxLength: 8 }),
        message,
        fc.oneof(fc.constantFrom(140, 255, 65_535), fc.integer({ min: 80, max: 300 })),
        (name, phase, stages, runMessage, limit) => {
          // Act
          const info = run(phase, stages.map((s) => stage(s.name, s.phase, s.message === undefined ? {} : { message: s.message })), { name, message: runMessage });
          const description = statusDescription(info, limit);

          // Assess
          expect(description.length).toBeLessThanOrEqual(limit);
          expect(description.startsWith(`${name}: `)).toBe(true);
          const failed = info.stages.find((s) => s.phase === P.Failed || s.phase === P.Errored || s.phase === P.TimedOut);
          const reason = (failed?.message ?? runMessage ?? "").replace(/\s+/g, " ").trim();
          if ((phase === P.Failed || phase === P.Errored || phase === P.TimedOut) && reason) {
            expect(description).toContain(reason.slice(0, 10));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("Function: runOutcome", () => {
  it.each([
    { info: run(P.Succeeded, [stage("a", P.Succeeded)]), expected: "1/1 stages succeeded in 1m 03s" },
    { info: run(P.Failed, [stage("test", P.Failed, { message: EXIT })]), expected: `Failed at test: ${EXIT} (0/1 stages succeeded in 1m 03s)` },
  ])("returns '$expected' without the run's name", ({ info, expected }) => {
    // Act
    const outcome = runOutcome(info);

    // Assess
    expect(outcome).toBe(expected);
  });
});

describe("Function: stageTableMarkdown", () => {
  it("returns a markdown table with phase and duration per stage", () => {
    // Act
    const table = stageTableMarkdown([timed("clone", P.Succeeded, 12), timed("unit | e2e", P.Failed, 65), stage("deploy", P.Pending)]);

    // Assess
    expect(table).toBe(
      [
        "| Stage | Phase | Duration |",
        "| --- | --- | --- |",
        "| clone | ✅ Succeeded | 12s |",
        "| unit \\| e2e | ❌ Failed | 1m 05s |",
        "| deploy | ⏳ Pending |  |",
      ].join("\n"),
    );
  });

  it("returns an empty string for a run without stages", () => {
    // Act
    const table = stageTableMarkdown([]);

    // Assess
    expect(table).toBe("");
  });
});

describe("Function: failureMarkdown", () => {
  it.each<{ case: string; info: Described; expected: string }>([
    {
      case: "each failed stage with its message",
      info: run(P.Failed, [stage("build", P.Succeeded), stage("test", P.Failed, { message: `${EXIT}\n` }), stage("lint", P.Errored), stage("e2e", P.Cancelled)], {
        message: "Tasks Completed: 4 (Failed: 2, Cancelled 1), Skipped: 0",
      }),
      expected: ["### Why it failed", "", `- \`test\` ❌ Failed: ${EXIT}`, "- `lint` ⚠️ Errored"].join("\n"),
    },
    {
      case: "the run's message when no stage says why",
      info: run(P.TimedOut, [stage("deploy", P.Cancelled)], { message: 'PipelineRun "build-and-test-x7k2p" failed to finish within "1h0m0s"' }),
      expected: ["### Why it failed", "", `- \`${NAME}\` ⏱️ Timed out: PipelineRun "build-and-test-x7k2p" failed to finish within "1h0m0s"`].join("\n"),
    },
    { case: "a failed run with nothing to say", info: run(P.Failed), expected: "" },
    { case: "a succeeded run", info: run(P.Succeeded, [stage("test(0)", P.Failed, { message: "Error (exit code 1)" })]), expected: "" },
    { case: "a cancelled run", info: run(P.Cancelled, [stage("b", P.Cancelled, { message: "TaskRun cancelled" })], { message: "PipelineRun cancelled" }), expected: "" },
  ])("returns the section for $case", ({ info, expected }) => {
    // Act
    const section = failureMarkdown(info);

    // Assess
    expect(section).toBe(expected);
  });

  it("lists at most 20 stages and cuts long messages", () => {
    // Prepare
    const stages = Array.from({ length: 25 }, (_, i) => stage(`shard-${i}`, P.Failed, { message: "m".repeat(2000) }));

    // Act
    const lines = failureMarkdown(run(P.Failed, stages)).split("\n");

    // Assess
    expect(lines).toHaveLength(2 + 20);
    expect(lines.at(-1)).toBe("… and 6 more");
    expect(lines[2]).toBe(`- \`shard-0\` ❌ Failed: ${"m".repeat(999)}…`);
  });
});

describe("Function: checkRunDetails", () => {
  it("returns the stage table, then why the run failed", () => {
    // Prepare
    const info = run(P.Failed, [timed("build", P.Succeeded, 12), timed("test", P.Failed, 30)].map((s, i) => (i === 1 ? { ...s, message: EXIT } : s)));

    // Act
    const details = checkRunDetails(info);

    // Assess
    expect(details).toBe(`${stageTableMarkdown(info.stages)}\n\n### Why it failed\n\n- \`test\` ❌ Failed: ${EXIT}`);
  });

  it("returns an empty string for a queued run without stages", () => {
    // Act
    const details = checkRunDetails(run(P.Pending));

    // Assess
    expect(details).toBe("");
  });
});
