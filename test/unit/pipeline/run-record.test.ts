import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gitContext } from "../../../shared/pipeline/git";
import type { Deliveries, RunState } from "../../../shared/pipeline/lifecycle";
import { runRecord, runStateOf, updatedAtOf, type RunRecord } from "../../../shared/pipeline/run-record";
import { PipelinePhase, type PipelineInfo, type Stage } from "../../../shared/pipeline/types";

/** What a read gets back of a write: the item through the document client's marshalling (undefined dropped). */
const throughDynamo = (record: RunRecord): RunRecord => unmarshall(marshall(record, { removeUndefinedValues: true })) as RunRecord;

const roundTrip = (state: RunState): RunState => runStateOf({ data: throughDynamo(runRecord(state, "2023-06-09T21:14:00.000Z")) });

const PHASES = Object.values(PipelinePhase);
const seconds = fc.integer({ min: 0, max: 4_102_444_800 });
/** Kubernetes' whole-second times, times with milliseconds, and text that is no time at all. */
const time = fc.oneof(
  seconds.map((s) => new Date(s * 1000).toISOString().replace(".000Z", "Z")),
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString()),
  fc.string(),
);
const word = fc.string({ minLength: 1, maxLength: 12 });

const stage: fc.Arbitrary<Stage> = fc
  .record(
    {
      name: word,
      phase: fc.oneof(fc.constantFrom(...PHASES), fc.constant("queued" as PipelinePhase)),
      startedAt: time,
      finishedAt: time,
      reason: fc.constantFrom("Error", "OOMKilled", "TimeoutExceeded", "BackoffLimitExceeded"),
      exitCode: fc.integer({ min: -1, max: 255 }),
      step: word,
      inferred: fc.constant(true as const),
      url: fc.webUrl(),
      message: fc.oneof(fc.string(), fc.constantFrom("All Steps have completed executing", "Results were missing", "PipelineRun was stopping")),
    },
    { requiredKeys: ["name", "phase"] },
  )
  .chain((s) =>
    // The words our normaliser gives a failed step, when the stage names one.
    s.step !== undefined && s.exitCode !== undefined
      ? fc.constantFrom<Stage>(s, { ...s, message: `step "${s.step}" exited with code ${s.exitCode}` }, { ...s, message: `step "${s.step}" exited with code ${s.exitCode} (${s.reason})` })
      : fc.constant(s),
  );

/**
 * Keys as Kubernetes allows them; not `constructor` or `__proto__`, which the
 * document client cannot marshall as map keys whatever the stored form.
 */
const metadataKey = fc.string({ minLength: 1 }).filter((key) => key !== "constructor" && key !== "__proto__");
const metadata = fc.dictionary(
  fc.oneof(
    fc.constantFrom("tekton.dev/pipeline", "tekton.dev/pipelineRun", "tekton.dev/", "commit-status.argoproj.io/repo-url", "commit-status.argoproj.io/sha"),
    fc.constantFrom("pipelinesascode.tekton.dev/sha", "pipelinesascode.tekton.dev/url-org", "pipelinesascode.tekton.dev/url-repository", "app"),
    metadataKey,
  ),
  fc.oneof(fc.constantFrom("https://github.com/tektoncd/pipeline", "0c43ce98d70a7513ab1e51f3f1475acdfa989a46", "tektoncd"), fc.string()),
  { maxKeys: 8 },
);

const info = (stages: Stage[]): fc.Arbitrary<PipelineInfo> =>
  fc
    .record({
      uid: fc.uuid(),
      cluster: word,
      kind: fc.constantFrom("PipelineRun", "TaskRun", "Job", "Workflow", "Widget", "constructor"),
      apiVersion: fc.constantFrom("tekton.dev/v1", "tekton.dev/v1beta1", "batch/v1", "argoproj.io/v1alpha1", "example.com/v1"),
      name: word,
      namespace: word,
      phase: fc.constantFrom(...PHASES),
      labels: metadata,
      annotations: metadata,
      optional: fc.record(
        {
          generateName: word,
          template: fc.record({ kind: word, name: word }),
          startedAt: time,
          finishedAt: time,
          message: fc.oneof(fc.string(), fc.tuple(fc.nat(40), fc.nat(40), fc.nat(40), fc.nat(40)).map(([a, b, c, d]) => `Tasks Completed: ${a} (Failed: ${b}, Cancelled ${c}), Skipped: ${d}`)),
          dashboardUrl: fc.webUrl(),
          id: word,
          git: fc.record({ repoUrl: fc.webUrl(), sha: word }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
      prefixOfName: fc.boolean(),
      derivedGit: fc.boolean(),
    })
    .map(({ optional, prefixOfName, derivedGit, ...base }) => {
      const run: PipelineInfo = { ...base, ...optional, id: optional.id ?? `${base.cluster}/${base.namespace}/${base.name}`, stages };
      if (prefixOfName && optional.generateName !== undefined) run.generateName = base.name.slice(0, optional.generateName.length);
      const git = gitContext(base.annotations, base.labels);
      if (derivedGit) {
        if (git) run.git = git;
        else delete run.git;
      }
      return run;
    });

/** A settled mark has only its state; a claim has its expiry, and a progress claim the hash it delivers. */
const settledMark = fc.record({ s: fc.constantFrom("done", "open", "failed", "skipped" as const) });
const mark = fc.oneof(settledMark, fc.record({ s: fc.constant("claimed" as const), exp: fc.nat() }));
const progressMark = fc.oneof(settledMark, fc.record({ s: fc.constant("claimed" as const), exp: fc.nat(), h: word }, { requiredKeys: ["s", "exp"] }));
/** Receiver names come from the config (`name`), memory keys from the receivers' code: map keys like the labels' above. */
const deliveries: fc.Arbitrary<Record<string, Deliveries>> = fc.dictionary(
  metadataKey,
  fc.record(
    { created: mark, started: mark, finished: mark, progress: progressMark, ph: word, pc: fc.nat(), lastError: fc.string(), mem: fc.dictionary(metadataKey, fc.oneof(word, fc.nat())) },
    { requiredKeys: [] },
  ),
  { maxKeys: 3 },
);

const runState: fc.Arbitrary<RunState> = fc.array(stage, { maxLength: 12 }).chain((stages) =>
  fc.record(
    {
      info: info(stages),
      stages: fc.constant(stages),
      deliveries,
      previous: fc.record({ run: fc.record({ phase: fc.constantFrom(...PHASES), finishedAt: time }), final: fc.boolean() }, { requiredKeys: ["final"] }),
    },
    { requiredKeys: ["stages", "deliveries"] },
  ),
);

describe("Function: runRecord / runStateOf", () => {
  it("reads back every run state it wrote, through DynamoDB's marshalling", () => {
    fc.assert(
      fc.property(runState, (state) => {
        expect(roundTrip(state)).toEqual(state);
      }),
      { numRuns: 400 },
    );
  });

  it("stores a Tekton task's stage as a short list: one-letter phase, seconds from the run's start, the failed step's words by their form", () => {
    // Prepare
    const failed: Stage = {
      name: "build",
      phase: PipelinePhase.Failed,
      startedAt: "2023-06-09T21:13:41Z",
      finishedAt: "2023-06-09T21:13:47Z",
      message: 'step "push" exited with code 1',
      reason: "Error",
      exitCode: 1,
      step: "push",
    };
    const skipped: Stage = { name: "deploy", phase: PipelinePhase.Skipped, message: "Results were missing", inferred: true };
    const state: RunState = {
      info: {
        id: "c/ns/run-x7k2p",
        uid: "u1",
        cluster: "c",
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        name: "run-x7k2p",
        namespace: "ns",
        generateName: "run-",
        phase: PipelinePhase.Failed,
        stages: [failed, skipped],
        startedAt: "2023-06-09T21:13:31Z",
        finishedAt: "2023-06-09T21:13:55Z",
        message: "Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 1",
        labels: {},
        annotations: {},
      },
      stages: [failed, skipped],
      deliveries: {},
    };

    // Act
    const record = runRecord(state, "2023-06-09T21:14:00.123Z");

    // Assess
    expect(record.run).toEqual({
      i: { u: "u1", c: "c", k: "PipelineRun", n: "run-x7k2p", s: "ns", g: 4, p: "f", b: 1686345211, e: 24, m: [1, 1, 0, 1] },
      s: [
        ["build", "f", 0, 10, 16, "Error", 1, "push"],
        ["deploy", "K", 8],
      ],
      d: {},
    });
    expect(updatedAtOf(record)).toBe("2023-06-09T21:14:00Z");
  });

  it("reads an item written before the compact form, and its next write leaves nothing of that form", () => {
    // Prepare: an item as the previous version wrote it (info without its stages, stages as objects).
    const stages = [{ name: "build", phase: "succeeded", startedAt: "2023-06-09T21:13:31Z", finishedAt: "2023-06-09T21:13:49Z", message: "All Steps have completed executing" }];
    const legacy = {
      run: {
        stages,
        deliveries: { log: { created: { s: "done" }, started: { s: "done" }, ph: "KOLZVYlKNg10LIum", pc: 1 } },
        info: {
          uid: "68c840e9",
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          name: "build-and-test-x7k2p",
          namespace: "ci",
          labels: { "tekton.dev/pipeline": "build-and-test" },
          annotations: { "commit-status.argoproj.io/sha": "0c43ce98d70a7513ab1e51f3f1475acdfa989a46" },
          phase: "running",
          startedAt: "2023-06-09T21:13:31Z",
          id: "ops/ci/build-and-test-x7k2p",
          cluster: "ops",
          git: { sha: "0c43ce98d70a7513ab1e51f3f1475acdfa989a46" },
        },
      },
      updatedAt: "2023-06-09T21:13:50.772Z",
    } as unknown as RunRecord;

    // Act
    const state = runStateOf({ data: legacy });
    const rewritten = throughDynamo({ ...legacy, ...runRecord(state, "2023-06-09T21:14:00.000Z") });

    // Assess
    expect(state.info).toEqual({ ...(legacy.run as unknown as { info: object }).info, stages });
    expect(state.stages).toEqual(stages);
    expect(state.deliveries.log?.pc).toBe(1);
    expect(updatedAtOf(legacy)).toBe("2023-06-09T21:13:50.772Z");
    expect(Object.keys(rewritten).sort()).toEqual(["run", "u"]);
    expect(Object.keys(rewritten.run!).sort()).toEqual(["d", "i", "s"]);
    expect(runStateOf({ data: rewritten })).toEqual(state);
  });

  it("gives the empty state for a new run", () => {
    expect(runStateOf(undefined)).toEqual({ stages: [], deliveries: {} });
  });
});
