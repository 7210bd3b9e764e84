import { readFileSync } from "node:fs";
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import { planClaims } from "../../../shared/pipeline/deliveries";
import { advance, emptyRunState } from "../../../shared/pipeline/lifecycle";
import { PipelineHandler } from "../../../shared/pipeline/pipeline-handler";
import { runRecord } from "../../../shared/pipeline/run-record";
import { toPipelineInfo } from "../../../shared/pipeline/info";
import { normalise } from "../../../shared/pipeline/normalise";
import { createBatchHandler } from "../../../shared/process/batch";
import { EventStatus, type ObjectRecord } from "../../../shared/status";
import { CachedStateStore, StoreKey, type StoredItem } from "../../../shared/store";
import { CarryingStateStore } from "../../helpers/carrying-state-store";
import { finalStatus, handlerContext } from "../../helpers/handler-context";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { RecordingReceiver, type RecordedCall } from "../../helpers/recording-receiver";
import { sqsRecord } from "../../helpers/sqs-records";

/**
 * Run items kept by warm instances (shared/store/cache.ts): each instance
 * answers from the item it wrote last, and every change is still a write
 * conditional on the version, so an instance whose copy is older than the
 * table's loses its write, folds again on the item the refusal carries, and
 * no callback is made twice or lost.
 */
/**
 * An upstream Job that completed (test/fixtures/upstream/jobs, its source in
 * the file's header) and the two versions the API server showed before it:
 * created, with no status yet, and running, with the status the Job
 * controller sets first (startTime, one active pod).
 */
const upstream = parse(readFileSync(new URL("../../fixtures/upstream/jobs/job-successcriteriamet-complete.yaml", import.meta.url), "utf8")) as KubeObject;
const version = (resourceVersion: string, status: Record<string, unknown> | undefined): KubeObject => ({
  ...upstream,
  metadata: { ...upstream.metadata, resourceVersion },
  status,
});
const created = version("1", undefined);
const running = version("2", { startTime: (upstream.status as { startTime: string }).startTime, active: 1 });
const succeeded = version("3", upstream.status as Record<string, unknown>);
const KEY = StoreKey.object("unit", upstream.metadata.uid);
const config = parseConfig({
  cluster: "unit",
  watch: [{ group: "batch", version: "v1", resource: "jobs" }],
  receivers: [{ name: "chat", type: "console" }],
});

describe("Run items kept by warm instances", () => {
  it("makes each callback once when a run's events alternate between two instances, the older copy losing its write", async () => {
    // Prepare: one table, two process-function instances, one receiver's calls
    const table = new CarryingStateStore({ carriesItem: true });
    const calls: RecordedCall[] = [];
    const instance = () =>
      createBatchHandler({ config, store: table, queue: new RecordingQueueOps(), receivers: [{ receiver: new RecordingReceiver("chat", calls), entry: config.receivers[0]! }], random: () => 0.5 });
    const [a, b] = [instance(), instance()];
    const deliver = (handler: typeof a, object: KubeObject, type: "ADDED" | "MODIFIED") => handler({ Records: [sqsRecord("unit", type, object)] } satisfies SQSEvent);

    // Act: A, then B, then A again on the copy it kept from its first event
    await deliver(a, created, "ADDED");
    await deliver(b, running, "MODIFIED");
    await deliver(a, succeeded, "MODIFIED");

    // Assess: each lifecycle callback once, and no progress state told twice
    expect(calls.filter((c) => c.event !== "progress").map((c) => c.event)).toEqual(["created", "started", "finished"]);
    const told = calls.map((c) => `${c.event} ${c.phase} ${c.stages}`);
    expect(new Set(told).size).toBe(told.length);
    expect(table.conflicts).toHaveLength(1);
  });

  it("reads the table before waiting on a claim in flight that its kept copy still shows", async () => {
    // Prepare: the kept copy holds a claim of `created`; the table has it delivered since
    const table = new CarryingStateStore({ carriesItem: true });
    const kept = new CachedStateStore(table);
    const info = toPipelineInfo("unit", normalise(created), {});
    const claimed = planClaims(advance(emptyRunState(), info).state, ["chat"], Date.now(), 120_000).state;
    await kept.put(KEY, runRecord(claimed, new Date().toISOString()), undefined, 86_400);
    table.writeAsOther(KEY, runRecord({ ...claimed, deliveries: { chat: { created: { s: "done" } } } }, new Date().toISOString()));
    const calls: RecordedCall[] = [];
    const handler = new PipelineHandler({ config, store: kept, receivers: [{ receiver: new RecordingReceiver("chat", calls), entry: config.receivers[0]! }] });
    const stored = (await kept.get(KEY)) as StoredItem<ObjectRecord>;
    const readsBefore = table.reads();

    // Act: an event that the kept copy alone would hold back until the claim's lease ends
    const status = await finalStatus((ch) => handler.updated(handlerContext(running, { stored }), running, undefined, ch));

    // Assess: the table was read once, and `started` made at once
    expect(table.reads()).toBe(readsBefore + 1);
    expect(calls.filter((c) => c.event !== "progress").map((c) => c.event)).toEqual(["started"]);
    expect(status.status).not.toBe(EventStatus.Retry);
  });
});
