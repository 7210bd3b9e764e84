import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import { PipelineHandler } from "../../../shared/pipeline/pipeline-handler";
import { createBatchHandler, receiverServiceContext } from "../../../shared/process/batch";
import { EventStatus, type ObjectRecord } from "../../../shared/status";
import { DynamoStateStore, StoreKey, storedAfterConflict, VersionConflictError } from "../../../shared/store";
import { CarryingStateStore } from "../../helpers/carrying-state-store";
import { finalStatus, handlerContext } from "../../helpers/handler-context";
import { RecordingQueueOps } from "../../helpers/recording-queue-ops";
import { RecordingReceiver } from "../../helpers/recording-receiver";
import { probe, ScriptedHandler } from "../../helpers/scripted-handler";
import { sqsRecord } from "../../helpers/sqs-records";

const UID = "job-conflict-1";
const KEY = StoreKey.object("unit", UID);
const config = parseConfig({
  cluster: "unit",
  watch: [{ group: "batch", version: "v1", resource: "jobs" }],
  receivers: [{ name: "chat", type: "console" }],
});

const running: KubeObject = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "migrate", namespace: "ci", uid: UID, resourceVersion: "2" },
  status: { startTime: "2026-11-20T10:00:00Z", active: 1 },
};

describe("Class: DynamoStateStore", () => {
  describe("Method: put", () => {
    it("throws VersionConflictError carrying the unmarshalled item when DynamoDB returns it", async () => {
      // Prepare
      const client = new DynamoDBClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
      const refused = new ConditionalCheckFailedException({ message: "refused", $metadata: {} });
      refused.Item = { pk: { S: KEY }, version: { N: "4" }, data: { M: { object: { M: { kind: { S: "Job" } } } } } };
      const inputs: Array<Record<string, unknown>> = [];
      client.middlewareStack.add(
        () => async (args) => {
          inputs.push(args.input as Record<string, unknown>);
          throw refused;
        },
        { step: "build" },
      );
      const store = new DynamoStateStore({ tableName: "state", client });

      // Act
      const error = await store.put(KEY, { object: {} }, 3, 60).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(VersionConflictError);
      expect((error as VersionConflictError).stored).toEqual({ version: 4, data: { object: { kind: "Job" } } });
      expect(inputs[0]!.ReturnValuesOnConditionCheckFailure).toBe("ALL_OLD");
    });
  });
});

describe("Function: storedAfterConflict", () => {
  it.each([
    { carriesItem: true, reads: 0 },
    { carriesItem: false, reads: 1 },
  ])("returns the stored item after $reads read(s) when the conflict carries it: $carriesItem", async ({ carriesItem, reads }) => {
    // Prepare
    const store = new CarryingStateStore({ carriesItem });
    store.writeAsOther(KEY, { n: 1 });
    const conflict = await store.put(KEY, { n: 2 }, undefined).catch((e: VersionConflictError) => e);

    // Act
    const item = await storedAfterConflict(store, conflict as VersionConflictError);

    // Assess
    expect(item).toEqual({ version: 1, data: { n: 1 } });
    expect(store.reads()).toBe(reads);
  });
});

describe("Class: PipelineHandler", () => {
  describe("Method: updated", () => {
    it.each([
      { carriesItem: true, reads: 0 },
      { carriesItem: false, reads: 1 },
    ])("returns Completed after $reads read(s) when its write loses a race and the conflict carries the item: $carriesItem", async ({ carriesItem, reads }) => {
      // Prepare: the process function read version 1; another event wrote version 2 since.
      const store = new CarryingStateStore({ carriesItem });
      const handler = new PipelineHandler({ config, store, receivers: [{ receiver: new RecordingReceiver("chat"), entry: config.receivers[0]! }] });
      const stale = { version: 1, data: { object: running } as ObjectRecord };
      store.writeAsOther(KEY, stale.data);
      store.writeAsOther(KEY, { object: running, note: "written by the other event" });

      // Act
      const status = await finalStatus((ch) => handler.updated(handlerContext(running, { stored: stale }), running, undefined, ch));

      // Assess
      expect(status.status).toBe(EventStatus.Completed);
      expect(store.conflicts).toHaveLength(1);
      expect(store.reads()).toBe(reads);
      expect((store.items.get(KEY)!.data as { note?: string }).note).toBe("written by the other event");
    });
  });
});

describe("Function: receiverServiceContext", () => {
  it.each([
    { carriesItem: true, reads: 1 },
    { carriesItem: false, reads: 2 },
  ])("puts after $reads read(s) when another writer wrote since the receiver read and the conflict carries the item: $carriesItem", async ({ carriesItem, reads }) => {
    // Prepare
    const store = new CarryingStateStore({ carriesItem });
    const view = receiverServiceContext(config, store, async () => {
      throw new Error("no Kubernetes in this test");
    }).store;
    await view.get("mark");
    store.writeAsOther(StoreKey.receiver("mark"), { until: 1 });

    // Act
    await view.put("mark", { until: 2 });

    // Assess
    expect(store.conflicts).toHaveLength(1);
    expect(store.reads()).toBe(reads);
    expect(store.items.get(StoreKey.receiver("mark"))!.data).toEqual({ until: 2 });
  });
});

describe("Function: createBatchHandler", () => {
  it.each([
    { carriesItem: true, reads: 1 },
    { carriesItem: false, reads: 2 },
  ])("remembers the handled object after $reads read(s) when another writer wrote it since and the conflict carries the item: $carriesItem", async ({ carriesItem, reads }) => {
    // Prepare
    const store = new CarryingStateStore({ carriesItem });
    const handler = new ScriptedHandler();
    const batch = createBatchHandler({ config, store, queue: new RecordingQueueOps(), receivers: [], routes: [handler.route], random: () => 0.5 });
    const object = probe("p", "uid-p", "2");
    const key = StoreKey.object("unit", "uid-p");
    store.raceAfterRead(key, { object: probe("p", "uid-p", "1"), note: "written by the other event" });

    // Act
    await batch({ Records: [sqsRecord("unit", "MODIFIED", object, 1)] });

    // Assess
    expect(store.conflicts).toHaveLength(1);
    expect(store.reads()).toBe(reads);
    expect(store.items.get(key)!.data).toEqual({ object, note: "written by the other event" });
  });
});
