/**
 * The runs a `when` expression is evaluated against at start. Types cannot
 * tell that `previous.phase` is missing on a first run or `pipeline.git.sha`
 * on a run without git context: evaluating the expression for every event,
 * every phase that event can come with, with and without a previous run,
 * and with optional fields unset and set, finds such a read before the first
 * real run does, and the config is refused with the key's path.
 */
import { LifecycleEvent } from "../receiver";
import { isTerminal, phaseRank, PipelinePhase, type GitContext, type PipelineInfo, type Stage } from "../types";
import { conditionBindings, RUN_PHASES, type ConditionBindings, type PreviousRun } from "./declarations";

export interface Sample {
  /** Says which run it was, for the error message. */
  readonly label: string;
  readonly bindings: ConditionBindings;
}

/** A run with only the fields every run has. */
const bare = (phase: PipelinePhase): PipelineInfo => ({
  id: "sample/ci/build-x7k2p",
  uid: "00000000-0000-4000-8000-000000000000",
  cluster: "sample",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-x7k2p",
  namespace: "ci",
  phase,
  stages: [],
  labels: {},
  annotations: {},
});

const fullGit = {
  repoUrl: "https://github.com/example/app.git",
  provider: "github",
  host: "github.com",
  owner: "example",
  repo: "app",
  sha: "0123456789abcdef0123456789abcdef01234567",
  ref: "refs/heads/main",
  pr: "1",
  sourceRepoUrl: "https://github.com/contributor/app.git",
} satisfies Required<GitContext>;

const fullStage = (phase: PipelinePhase): Required<Stage> => ({
  name: "test",
  phase,
  startedAt: "2026-01-01T10:00:00Z",
  finishedAt: "2026-01-01T10:01:00Z",
  message: "sample stage message",
  reason: "Error",
  exitCode: 1,
  step: "unit",
  url: "https://dashboard.example.com/ci/build-x7k2p?pipelineTask=test",
  inferred: true,
});

/** A run with every optional field set, so that what an expression reads behind has() is read too. */
const full = (phase: PipelinePhase): Required<PipelineInfo> => ({
  ...bare(phase),
  generateName: "build-",
  template: { kind: "Pipeline", name: "build" },
  stages: [fullStage(phase)],
  startedAt: "2026-01-01T10:00:00Z",
  finishedAt: "2026-01-01T10:01:00Z",
  message: "sample run message",
  dashboardUrl: "https://dashboard.example.com/ci/build-x7k2p",
  git: fullGit,
  labels: { app: "build" },
  annotations: { "example.com/owner": "team" },
});

const RUNS: ReadonlyArray<{ label: string; run: (phase: PipelinePhase) => PipelineInfo }> = [
  { label: "no optional field set and no stages", run: bare },
  { label: "a stage with no optional field set", run: (phase) => ({ ...bare(phase), stages: [{ name: "test", phase }] }) },
  { label: "every optional field set", run: full },
];

const PREVIOUS: ReadonlyArray<PreviousRun | undefined> = [undefined, { phase: PipelinePhase.Failed, finishedAt: "2025-12-31T10:00:00Z" }];

/** The phases a run can have when `event` is called: started once running, finished once terminal. */
const phasesOf = (event: LifecycleEvent): PipelinePhase[] => {
  if (event === LifecycleEvent.Started) return RUN_PHASES.filter((phase) => phaseRank(phase) >= 1);
  if (event === LifecycleEvent.Finished) return RUN_PHASES.filter(isTerminal);
  return [...RUN_PHASES];
};

/** One callback of one sample run; templates, which do not read `previous`, are rendered against these. */
export interface RunSample {
  readonly event: LifecycleEvent;
  readonly info: PipelineInfo;
  /** Which optional fields the run has, for the error message. */
  readonly runLabel: string;
}

/** Every event, every phase that event can come with, and each run of RUNS. */
export const RUN_SAMPLES: readonly RunSample[] = Object.values(LifecycleEvent).flatMap((event) =>
  phasesOf(event).flatMap((phase) => RUNS.map(({ label, run }) => ({ event, info: run(phase), runLabel: label }))),
);

export const SAMPLES: readonly Sample[] = RUN_SAMPLES.flatMap(({ event, info, runLabel }) =>
  PREVIOUS.map((previous) => ({
    label: `event "${event}", pipeline.phase "${info.phase}", ${previous ? `a previous run that ${previous.phase}` : "no previous run"}, ${runLabel}`,
    bindings: conditionBindings(event, info, previous),
  })),
);
