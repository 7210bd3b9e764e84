import { readFileSync } from "node:fs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import { runStateOf, type RunRecord } from "../../../shared/pipeline/run-record";
import { PipelinePhase } from "../../../shared/pipeline/types";
import { createBatchHandler } from "../../../shared/process/batch";
import { StoreKey } from "../../../shared/store";
import { dynamoItemSize } from "../../helpers/dynamo-item-size";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../../helpers/fake-scm";
import { onHost } from "../../helpers/run-host";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { sqsRecord } from "../../helpers/sqs-records";

type Json = Record<string, any>;

/** An object from test/fixtures/upstream/tekton (its source is in the file's header). */
const upstream = (name: string): Json => parse(readFileSync(new URL(`../../fixtures/upstream/tekton/${name}`, import.meta.url), "utf8")) as Json;

/**
 * A 10-task PipelineRun: the upstream cluster dump of a failed run with
 * finally tasks, its finally list cut from 10 tasks to the first 5 (and its
 * skipped tasks and tally with it), annotated with the git context a run
 * not made by Pipelines-as-Code carries (README: `commit-status.argoproj.io/*`).
 */
const dump = upstream("pipelinerun-v1-failed-finally-skippedtasks.yaml");
const FINALLY = new Set((dump.status.pipelineSpec.finally as Json[]).slice(0, 5).map((task) => task.name as string));
const TASKS = new Set([...(dump.status.pipelineSpec.tasks as Json[]).map((task) => task.name as string), ...FINALLY]);
const pipelineRun = (finished: boolean): KubeObject => {
  const { conditions, completionTime, ...running } = dump.status;
  const status = {
    ...running,
    pipelineSpec: { ...dump.status.pipelineSpec, finally: dump.status.pipelineSpec.finally.filter((task: Json) => FINALLY.has(task.name)) },
    skippedTasks: dump.status.skippedTasks.filter((task: Json) => TASKS.has(task.name)),
    ...(finished ? { completionTime, conditions: [{ ...conditions[0], message: "Tasks Completed: 5 (Failed: 3, Cancelled 0), Skipped: 5" }] } : {}),
  };
  const annotations = {
    "commit-status.argoproj.io/repo-url": "https://github.com/tektoncd/pipeline",
    "commit-status.argoproj.io/sha": "0c43ce98d70a7513ab1e51f3f1475acdfa989a46",
  };
  return { ...dump, metadata: { ...dump.metadata, annotations }, status } as KubeObject;
};

/**
 * The run's TaskRuns: the upstream dump of its `dagtask2` TaskRun for each
 * task that ran, renamed to the task; the failed ones with the status of the
 * upstream TaskRun whose step `build-and-push` exited with code 1.
 */
const succeeded = upstream("taskrun-v1-succeeded-steps-terminated.yaml");
const failed = upstream("taskrun-v1beta1-failed-step-exit-code.yaml");
const taskRun = (task: string, fails: boolean): KubeObject => ({
  ...succeeded,
  metadata: {
    ...succeeded.metadata,
    name: `${dump.metadata.name}-${task}`,
    uid: `${succeeded.metadata.uid.slice(0, -task.length)}${task}`,
    labels: { ...succeeded.metadata.labels, "tekton.dev/pipelineTask": task },
  },
  status: fails ? { ...failed.status, startTime: succeeded.status.startTime, completionTime: "2023-06-09T21:13:47Z" } : succeeded.status,
} as KubeObject);
const RAN = [
  ["dagtask1", true],
  ["dagtask2", false],
  ["dagtask5", true],
  ["finaltask1", false],
  ["finaltask2", true],
] as const;

const APP_ID = 5151;
const { privateKey, publicKey } = appKeyPair();

/** A console receiver and an `scm` receiver writing check runs, whose memory of the run (the check run's id) is part of the item. */
const configFor = (github: FakeGitHubServer) =>
  parseConfig({
    cluster: "unit",
    watch: [
      { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
      { group: "tekton.dev", version: "v1", resource: "taskruns" },
    ],
    receivers: [
      { name: "log", type: "console" },
      { name: "checks", type: "scm", options: { provider: "github", baseUrl: github.apiUrl, app: { appId: APP_ID, privateKey: "env:RUN_ITEM_SIZE_APP_KEY" } } },
    ],
  });

/** The item as DynamoStateStore writes it: key, version, data, TTL (epoch seconds). */
const storedItem = (store: MemoryStateStore, key: string, ttlDays: number): Record<string, unknown> => {
  const item = store.items.get(key)!;
  return { pk: key, version: item.version, data: item.data, ttl: Math.floor(Date.parse("2023-06-09T21:14:00Z") / 1000) + ttlDays * 86_400 };
};

describe("The run item's size", () => {
  let github: FakeGitHubServer;

  beforeAll(async () => {
    process.env.RUN_ITEM_SIZE_APP_KEY = privateKey;
    github = await startFakeGitHub({ repos: ["tektoncd/pipeline"], app: { id: APP_ID, publicKey, installations: [{ id: 77, repos: ["tektoncd/pipeline"] }] } });
  });
  afterAll(async () => {
    await github.stop();
  });

  it("stays within 1 KB (one write unit) for a 10-task Tekton PipelineRun that a console and an scm receiver were told about", async () => {
    // Prepare
    const config = configFor(github);
    const store = new MemoryStateStore();
    const batch = createBatchHandler({ config, store, queue: new RecordingQueueOps(), random: () => 0.5 });
    const send = (object: KubeObject) => batch({ Records: [sqsRecord("unit", "MODIFIED", onHost(object, github.url))] } satisfies SQSEvent);
    const key = StoreKey.object("unit", dump.metadata.uid);

    // Act
    await send(pipelineRun(false));
    for (const [task, fails] of RAN) await send(taskRun(task, fails));
    await send(pipelineRun(true));

    // Assess
    const item = storedItem(store, key, config.processing.stateTtlDays);
    const state = runStateOf({ data: item.data as RunRecord });
    expect(state.stages).toHaveLength(10);
    expect(state.stages.filter((stage) => stage.phase === PipelinePhase.Failed).map((stage) => stage.step)).toEqual(["build-and-push", "build-and-push", "build-and-push"]);
    expect(state.info?.git?.sha).toBe("0c43ce98d70a7513ab1e51f3f1475acdfa989a46");
    expect(Object.keys(state.deliveries).sort()).toEqual(["checks", "log"]);
    expect(state.deliveries.log?.finished?.s).toBe("done");
    expect(state.deliveries.checks?.finished?.s).toBe("done");
    expect(state.deliveries.checks?.mem).toMatchObject({ phase: "failure", ids: { checkRunId: github.checkRuns[0]!.id } });
    expect(dynamoItemSize(item), `${dynamoItemSize(item)} bytes`).toBeLessThanOrEqual(1024);
  });
});
