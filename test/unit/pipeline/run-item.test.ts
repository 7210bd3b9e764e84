import { readFileSync } from "node:fs";
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import { runStateOf, type RunRecord } from "../../../shared/pipeline/run-record";
import { createBatchHandler } from "../../../shared/process/batch";
import { StoreKey } from "../../../shared/store";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { sqsRecord } from "../../helpers/sqs-records";

/** An object from test/fixtures/upstream (its source is in the file's header). */
const upstream = (name: string): KubeObject => {
  const object = parse(readFileSync(new URL(`../../fixtures/upstream/tekton/${name}`, import.meta.url), "utf8")) as KubeObject;
  return { ...object, metadata: { namespace: "default", ...object.metadata } };
};

// The TaskRun names its PipelineRun by label and owner reference; the PipelineRun takes that identity.
const taskRun = upstream("taskrun-v1-succeeded-steps-terminated.yaml");
const owner = (taskRun.metadata as unknown as { ownerReferences: Array<{ name: string; uid: string }> }).ownerReferences[0]!;
const base = upstream("pipelinerun-v1beta1-taskruns-succeeded.yaml");
const pipelineRun: KubeObject = { ...base, metadata: { ...base.metadata, name: owner.name, uid: owner.uid, namespace: taskRun.metadata.namespace } };

const config = parseConfig({
  cluster: "unit",
  watch: [
    { group: "tekton.dev", version: "v1beta1", resource: "pipelineruns" },
    { group: "tekton.dev", version: "v1", resource: "taskruns" },
  ],
  receivers: [{ name: "log", type: "console" }],
});

const setup = () => {
  const store = new MemoryStateStore();
  const batch = createBatchHandler({ config, store, queue: new RecordingQueueOps(), random: () => 0.5 });
  const invoke = (object: KubeObject) => batch({ Records: [sqsRecord("unit", "ADDED", object)] } satisfies SQSEvent);
  return { store, invoke };
};

describe("The run item", () => {
  it("holds the run state once: no copy of the object, and the stages only beside the run's info", async () => {
    // Prepare
    const { store, invoke } = setup();

    // Act
    await invoke(pipelineRun);

    // Assess
    const item = store.items.get(StoreKey.object("unit", owner.uid))!.data as { object?: unknown; run: { i: Record<string, unknown>; s: unknown[] } };
    expect(item.object).toBeUndefined();
    expect(Object.keys(item.run).sort()).toEqual(["d", "i", "s"]);
    expect(item.run.s.length).toBeGreaterThan(0);
    expect(runStateOf({ data: item as RunRecord }).info?.name).toBe(owner.name);
  });

  it("gives the receivers the stages back from the stored state on the next event", async () => {
    // Prepare
    const { store, invoke } = setup();
    await invoke(pipelineRun);
    const stagesStored = () => runStateOf({ data: store.items.get(StoreKey.object("unit", owner.uid))!.data as RunRecord }).stages.map((s) => s.name);
    const stored = stagesStored();

    // Act
    await invoke(taskRun);

    // Assess
    const after = stagesStored();
    expect(after).toEqual(expect.arrayContaining([...stored, "dagtask2"]));
  });

  it("is read once for a TaskRun of a PipelineRun on an instance that did not write it: its parent's, never the TaskRun's own", async () => {
    // Prepare: the PipelineRun handled by one instance, its TaskRun by another (a cold start) on the same table
    const { store, invoke } = setup();
    await invoke(pipelineRun);
    const other = createBatchHandler({ config, store, queue: new RecordingQueueOps(), random: () => 0.5 });
    store.operations.length = 0;

    // Act
    await other({ Records: [sqsRecord("unit", "ADDED", taskRun)] } satisfies SQSEvent);

    // Assess
    const reads = store.operations.filter((o) => o.op === "get").map((o) => o.key);
    expect(reads).toEqual([StoreKey.object("unit", owner.uid)]);
    expect(store.items.has(StoreKey.object("unit", (taskRun.metadata as { uid: string }).uid))).toBe(false);
  });

  it("is not read at all for a TaskRun on the instance that wrote its PipelineRun's item last", async () => {
    // Prepare
    const { store, invoke } = setup();
    await invoke(pipelineRun);
    store.operations.length = 0;

    // Act
    await invoke(taskRun);

    // Assess: the stage was folded in and written, from the item the instance wrote
    expect(store.operations.filter((o) => o.op === "get")).toEqual([]);
    expect(store.operations.some((o) => o.op === "put" && o.key === StoreKey.object("unit", owner.uid) && !o.conflict)).toBe(true);
  });
});
