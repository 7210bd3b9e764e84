import { describe, expect, it } from "vitest";
import { PipelinePhase, type PipelineInfo, type Stage } from "../../../shared/pipeline/types";
import { commentBody, commentMarker } from "../../../shared/receivers/scm-comment";
import {
  pipelineToCommitStatus,
  stableRunName,
  statusName,
  statusTargetOf,
  unknownVariables,
  type RunNaming,
  type TargetSettings,
} from "../../../shared/receivers/scm-status";
import { requireScm, UnmappedStateError, type CommitStatusPhase, type StatusTarget } from "../../../shared/scm";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

const stage = (name: string, phase: PipelinePhase, seconds?: number): Stage => ({
  name,
  phase,
  ...(seconds === undefined ? {} : { startedAt: "2026-11-20T10:00:00Z", finishedAt: new Date(Date.parse("2026-11-20T10:00:00Z") + seconds * 1000).toISOString() }),
});

const run = (overrides: Partial<PipelineInfo> = {}): PipelineInfo => ({
  id: "prod/ci/build-and-test-x7k2p",
  uid: "uid-1",
  cluster: "prod",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-and-test-x7k2p",
  namespace: "ci",
  phase: PipelinePhase.Running,
  stages: [],
  labels: { "tekton.dev/pipeline": "build-and-test" },
  annotations: {},
  git: { repoUrl: "https://github.com/example/shop.git", provider: "github", host: "github.com", owner: "example", repo: "shop", sha: SHA, ref: "refs/heads/main" },
  ...overrides,
});

const GITHUB: TargetSettings = { scm: requireScm("github"), webHost: "github.com", statusName: "{{namespace}}/{{name}}" };

describe("Function: pipelineToCommitStatus", () => {
  it.each<[PipelinePhase, CommitStatusPhase]>([
    [PipelinePhase.Pending, "queued"],
    [PipelinePhase.Running, "in_progress"],
    [PipelinePhase.Succeeded, "success"],
    [PipelinePhase.Failed, "failure"],
    [PipelinePhase.Errored, "failure"],
    [PipelinePhase.TimedOut, "failure"],
    [PipelinePhase.Cancelled, "canceled"],
  ])("returns %s → %s", (phase, expected) => {
    // Act
    const mapped = pipelineToCommitStatus(phase);

    // Assess
    expect(mapped).toBe(expected);
  });

  it.each(["paused", "toString", "constructor"])("throws UnmappedStateError for the unknown phase %s", (phase) => {
    // Act
    const attempt = () => pipelineToCommitStatus(phase as PipelinePhase);

    // Assess
    expect(attempt).toThrow(UnmappedStateError);
    expect(attempt).toThrow(`pipeline phase "${phase}" has no mapping`);
  });
});

describe("Function: stableRunName", () => {
  it.each<{ case: string; run: RunNaming; expected: string }>([
    { case: "a PipelineRun with tekton.dev/pipeline", run: { kind: "PipelineRun", name: "build-x7k2p", labels: { "tekton.dev/pipeline": "build" } }, expected: "build" },
    {
      case: "a PipelineRun whose label is its own name (embedded spec)",
      run: { kind: "PipelineRun", name: "shop-on-push-x7k2p", labels: { "tekton.dev/pipeline": "shop-on-push-x7k2p" }, generateName: "shop-on-push-" },
      expected: "shop-on-push",
    },
    { case: "a run named from generateName", run: { kind: "TaskRun", name: "lint-abcde", labels: {}, generateName: "lint-" }, expected: "lint" },
    { case: "a generateName without a separator", run: { kind: "Job", name: "nightlyq9z4k", labels: {}, generateName: "nightly" }, expected: "nightly" },
    { case: "a name that does not start with its generateName", run: { kind: "Job", name: "other-q9z4k", labels: {}, generateName: "nightly-" }, expected: "other-q9z4k" },
    { case: "a TaskRun label on another kind", run: { kind: "Workflow", name: "deploy-q9z4k", labels: { "tekton.dev/pipeline": "x" } }, expected: "deploy" },
    { case: "a generated-looking suffix without generateName", run: { kind: "PipelineRun", name: "release-b2c4d", labels: {} }, expected: "release" },
    { case: "a suffix with a vowel (not generated)", run: { kind: "Job", name: "db-migrate", labels: {} }, expected: "db-migrate" },
    { case: "a suffix with digits the generator never uses", run: { kind: "Job", name: "backup-28312345", labels: {} }, expected: "backup-28312345" },
    { case: "a four-character suffix", run: { kind: "Job", name: "ci-lint", labels: {} }, expected: "ci-lint" },
    {
      case: "a Job of a CronJob (named <cronjob>-<minute>, no generateName)",
      run: { kind: "Job", name: "nightly-backup-29170560", labels: {}, template: { kind: "CronJob", name: "nightly-backup" } },
      expected: "nightly-backup",
    },
    {
      case: "a Workflow of a CronWorkflow",
      run: { kind: "Workflow", name: "hello-world-7xk2p", labels: {}, generateName: "hello-world-", template: { kind: "CronWorkflow", name: "hello-world" } },
      expected: "hello-world",
    },
    {
      case: "a Workflow from a WorkflowTemplate with another generateName",
      run: { kind: "Workflow", name: "workflow-template-hello-world-k4d26", labels: {}, generateName: "workflow-template-hello-world-", template: { kind: "WorkflowTemplate", name: "workflow-template-submittable-2.9" } },
      expected: "workflow-template-submittable-2.9",
    },
    {
      case: "a Workflow from a ClusterWorkflowTemplate",
      run: { kind: "Workflow", name: "deploy-q9z4k", labels: {}, template: { kind: "ClusterWorkflowTemplate", name: "deploy" } },
      expected: "deploy",
    },
    {
      case: "a blank template name",
      run: { kind: "Workflow", name: "deploy-q9z4k", labels: {}, generateName: "deploy-", template: { kind: "WorkflowTemplate", name: " " } },
      expected: "deploy",
    },
  ])("returns $expected for $case", ({ run: naming, expected }) => {
    // Act
    const name = stableRunName(naming);

    // Assess
    expect(name).toBe(expected);
  });
});

describe("Function: statusName", () => {
  it.each<{ template: string; annotations: Record<string, string>; expected: string }>([
    { template: "{{namespace}}/{{name}}", annotations: {}, expected: "ci/build-and-test" },
    { template: "{{ cluster }}: {{namespace}}/{{name}}", annotations: {}, expected: "prod: ci/build-and-test" },
    { template: "{{kind}}/{{run}}", annotations: {}, expected: "pipelinerun/build-and-test-x7k2p" },
    { template: "ci", annotations: {}, expected: "ci" },
    { template: "{{namespace}}/{{name}}", annotations: { "commit-status.argoproj.io/status-name": "shop/ci" }, expected: "shop/ci" },
    { template: "{{namespace}}/{{name}}", annotations: { "commit-status.argoproj.io/status-name": "  " }, expected: "ci/build-and-test" },
  ])("returns $expected for $template with annotations $annotations", ({ template, annotations, expected }) => {
    // Act
    const name = statusName(template, run({ annotations }));

    // Assess
    expect(name).toBe(expected);
  });

  it.each<{ case: string; annotations: Record<string, string>; expected: string }>([
    { case: "no annotation", annotations: {}, expected: "ops/nightly-backup" },
    { case: "the annotation, which comes first", annotations: { "commit-status.argoproj.io/status-name": "backups" }, expected: "backups" },
  ])("names every night's Job of a CronJob alike with $case", ({ annotations, expected }) => {
    // Prepare
    const nights = ["nightly-backup-29170560", "nightly-backup-29172000"].map((name) =>
      run({ kind: "Job", apiVersion: "batch/v1", namespace: "ops", name, labels: {}, annotations, template: { kind: "CronJob", name: "nightly-backup" } }),
    );

    // Act
    const names = nights.map((night) => statusName("{{namespace}}/{{name}}", night));

    // Assess
    expect(names).toEqual([expected, expected]);
  });

  it("keeps the full run name in {{run}} when {{name}} is the template's", () => {
    // Act
    const name = statusName("{{name}} ({{run}})", run({ kind: "Job", name: "nightly-backup-29170560", labels: {}, template: { kind: "CronJob", name: "nightly-backup" } }));

    // Assess
    expect(name).toBe("nightly-backup (nightly-backup-29170560)");
  });

  it("keeps the same name for two reruns of one pipeline", () => {
    // Act
    const names = ["build-and-test-x7k2p", "build-and-test-q9z4k"].map((name) => statusName("{{namespace}}/{{name}}", run({ name })));

    // Assess
    expect(new Set(names)).toEqual(new Set(["ci/build-and-test"]));
  });
});

describe("Function: unknownVariables", () => {
  it.each([
    { template: "{{namespace}}/{{name}}", expected: [] },
    { template: "{{nmae}}", expected: ["nmae"] },
    { template: "{{ cluster }}-{{uid}}", expected: ["uid"] },
    { template: "{{}}", expected: [""] },
  ])("returns $expected for $template", ({ template, expected }) => {
    // Act
    const unknown = unknownVariables(template);

    // Assess
    expect(unknown).toEqual(expected);
  });
});

describe("Descriptor: refFor", () => {
  it.each([
    { kind: "gitlab", ref: "refs/heads/main", expected: "main" },
    { kind: "gitlab", ref: "refs/tags/v1.2.0", expected: "v1.2.0" },
    { kind: "bitbucket-cloud", ref: "feature/x", expected: "feature/x" },
    { kind: "bitbucket-server", ref: "main", expected: "refs/heads/main" },
    { kind: "bitbucket-server", ref: "refs/tags/v1", expected: "refs/tags/v1" },
    { kind: "github", ref: "refs/heads/main", expected: undefined },
  ] as const)("returns $expected for $ref on $kind", ({ kind, ref, expected }) => {
    // Act
    const mapped = requireScm(kind).refFor?.(ref);

    // Assess
    expect(mapped).toBe(expected);
  });
});

describe("Function: statusTargetOf", () => {
  it.each<{ case: string; info: PipelineInfo; settings?: Partial<TargetSettings>; expected: { target: StatusTarget } | { skip: RegExp } }>([
    {
      case: "a GitHub run",
      info: run(),
      expected: { target: { repo: { kind: "github", owner: "example", name: "shop" }, sha: SHA, name: "ci/build-and-test" } },
    },
    {
      case: "a GitLab run in a subgroup, with its branch",
      info: run({ git: { provider: "gitlab", host: "gitlab.com", owner: "acme/platform", repo: "shop", sha: SHA, ref: "refs/heads/main" } }),
      settings: { scm: requireScm("gitlab"), webHost: "gitlab.com" },
      expected: { target: { repo: { kind: "gitlab", project: "acme/platform/shop" }, sha: SHA, name: "ci/build-and-test", ref: "main" } },
    },
    {
      case: "a Bitbucket Server clone URL under /scm/",
      info: run({ git: { provider: "bitbucket-datacenter", host: "bb.example.com", owner: "scm/PROJ", repo: "shop", sha: SHA, ref: "main" } }),
      settings: { scm: requireScm("bitbucket-server"), webHost: "bb.example.com" },
      expected: { target: { repo: { kind: "bitbucket-server", project: "PROJ", slug: "shop" }, sha: SHA, name: "ci/build-and-test", ref: "refs/heads/main" } },
    },
    {
      case: "a GitHub Enterprise run whose provider was not inferred but whose host is the receiver's",
      info: run({ git: { host: "ghe.example.com", owner: "example", repo: "shop", sha: SHA } }),
      settings: { webHost: "ghe.example.com" },
      expected: { target: { repo: { kind: "github", owner: "example", name: "shop" }, sha: SHA, name: "ci/build-and-test" } },
    },
    {
      case: "a repository override",
      info: run({ git: { sha: SHA } }),
      settings: { repo: { owner: "acme", repo: "deploys" } },
      expected: { target: { repo: { kind: "github", owner: "acme", name: "deploys" }, sha: SHA, name: "ci/build-and-test" } },
    },
    { case: "a run without git context", info: run({ git: undefined }), expected: { skip: /no git context/ } },
    { case: "a run without a commit", info: run({ git: { owner: "example", repo: "shop" } }), expected: { skip: /names no commit/ } },
    { case: "a run on another provider", info: run({ git: { provider: "gitlab", owner: "a", repo: "b", sha: SHA } }), expected: { skip: /is on gitlab, this receiver posts to github/ } },
    { case: "a run on an unknown host", info: run({ git: { host: "git.example.org", owner: "a", repo: "b", sha: SHA } }), expected: { skip: /host git.example.org is not this receiver's github.com/ } },
    { case: "a run with a commit but no repository", info: run({ git: { provider: "github", host: "github.com", sha: SHA } }), expected: { skip: /names no repository/ } },
  ])("returns the target or the reason to skip for $case", ({ info, settings, expected }) => {
    // Act
    const result = statusTargetOf(info, { ...GITHUB, ...settings });

    // Assess
    if ("target" in expected) expect(result).toEqual(expected);
    else expect("skip" in result && result.skip).toMatch(expected.skip);
  });
});

describe("Function: commentBody", () => {
  it("starts with the hidden marker and carries the stage table", () => {
    // Prepare
    const info = run({ phase: PipelinePhase.Succeeded, stages: [stage("clone", PipelinePhase.Succeeded, 12)], dashboardUrl: "https://ci.example.com/r/1" });

    // Act
    const body = commentBody(info, "ci/build-and-test", "1/1 stages succeeded");

    // Assess
    expect(body.split("\n")[0]).toBe("<!-- kube-feedback:ci/build-and-test -->");
    expect(body).toContain("### ✅ `ci/build-and-test` succeeded");
    expect(body).toContain("PipelineRun `ci/build-and-test-x7k2p` · commit `4b825dc` · 1/1 stages succeeded · [View run](https://ci.example.com/r/1)");
    expect(body).toContain("| clone | ✅ Succeeded | 12s |");
  });

  it.each([
    { name: "ci/build", expected: "<!-- kube-feedback:ci/build -->" },
    { name: "a--b", expected: "<!-- kube-feedback:a%2D-b -->" },
    { name: "x-->y", expected: "<!-- kube-feedback:x%2D-%3Ey -->" },
  ])("returns marker $expected for status name $name", ({ name, expected }) => {
    // Act
    const marker = commentMarker(name);

    // Assess
    expect(marker).toBe(expected);
  });
});
