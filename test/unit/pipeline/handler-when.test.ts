import { describe, expect, it } from "vitest";
import { parseConfig, type FeedbackConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import type { RunState } from "../../../shared/pipeline/lifecycle";
import { PipelineHandler } from "../../../shared/pipeline/pipeline-handler";
import { LifecycleEvent } from "../../../shared/receivers";
import { EventStatus, type ObjectRecord } from "../../../shared/status";
import { KeyPrefix, StoreKey } from "../../../shared/store";
import { finalStatus, handlerContext, SILENT_LOG } from "../../helpers/handler-context";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { RecordingReceiver } from "../../helpers/recording-receiver";
import { runStateOf, type RunRecord } from "../../../shared/pipeline/run-record";

const FAILURES = `event == "finished" && pipeline.phase != "succeeded"`;
const FIXED = `event == "finished" && pipeline.phase == "succeeded" && has(previous.phase) && previous.phase == "failed"`;

const configWith = (receivers: Array<{ name: string; when?: string }>): FeedbackConfig =>
  parseConfig({
    cluster: "unit",
    watch: [{ group: "batch", version: "v1", resource: "jobs" }],
    receivers: receivers.map((r) => ({ ...r, type: "console" })),
  });

type Phase = "running" | "succeeded" | "failed";

/** A run of the Job template `migrate-` (one pipeline: status name ci/migrate), as its controller shows it. */
const job = (name: string, phase: Phase, finishedAt = "2026-11-20T10:01:00Z"): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name, generateName: "migrate-", namespace: "ci", uid: `uid-${name}`, resourceVersion: `${name}-${phase}` },
  status: {
    startTime: "2026-11-20T10:00:00Z",
    ...(phase === "running" ? { active: 1 } : {}),
    ...(phase === "succeeded"
      ? { completionTime: finishedAt, succeeded: 1, conditions: [{ type: "Complete", status: "True", lastTransitionTime: finishedAt }] }
      : {}),
    ...(phase === "failed" ? { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", lastTransitionTime: finishedAt }] } : {}),
  },
});

const setup = (receivers: Array<{ name: string; when?: string }>) => {
  const config = configWith(receivers);
  const store = new MemoryStateStore();
  const recorders = new Map(receivers.map((r) => [r.name, new RecordingReceiver(r.name)]));
  const handler = new PipelineHandler({ config, store, receivers: config.receivers.map((entry) => ({ receiver: recorders.get(entry.name)!, entry })) });
  /** One event of `object`, with what the process function read for it before (the store's item). */
  const deliver = async (object: KubeObject) => {
    const stored = store.items.get(StoreKey.object("unit", object.metadata.uid));
    const item = stored ? { stored: { version: stored.version, data: structuredClone(stored.data) as ObjectRecord } } : {};
    return finalStatus((ch) => handler.updated(handlerContext(object, item), object, undefined, ch));
  };
  /** What each receiver heard, as `run:event`. */
  const heard = (name: string) => recorders.get(name)!.calls.map((c) => `${c.run.split("/").pop()}:${c.event}`);
  const finishRecords = () => store.operations.filter((o) => o.key.startsWith(KeyPrefix.finished));
  const runState = (name: string): RunState => runStateOf(store.items.get(StoreKey.object("unit", `uid-${name}`)) as { data: RunRecord });
  return { store, recorders, deliver, heard, finishRecords, runState };
};

describe("Class: PipelineHandler", () => {
  describe("Method: updated (receivers with when)", () => {
    it("calls the fixed receiver only for the success after a failure and the failures receiver only for the failure", async () => {
      // Prepare
      const { deliver, heard } = setup([{ name: "all" }, { name: "failures", when: FAILURES }, { name: "fixed", when: FIXED }]);

      // Act
      await deliver(job("migrate-x7k2p", "running"));
      await deliver(job("migrate-x7k2p", "failed", "2026-11-20T10:01:00Z"));
      await deliver(job("migrate-b9d4q", "running"));
      await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));

      // Assess
      expect(heard("fixed")).toEqual(["migrate-b9d4q:finished"]);
      expect(heard("failures")).toEqual(["migrate-x7k2p:finished"]);
      expect(heard("all").filter((c) => c.endsWith(":finished"))).toEqual(["migrate-x7k2p:finished", "migrate-b9d4q:finished"]);
    });

    it("does not call the fixed receiver for a first run or a success after a success", async () => {
      // Prepare
      const { deliver, heard } = setup([{ name: "fixed", when: FIXED }]);

      // Act
      await deliver(job("migrate-x7k2p", "succeeded", "2026-11-20T10:01:00Z"));
      await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));

      // Assess
      expect(heard("fixed")).toEqual([]);
    });

    it("marks the callbacks a when turns down as skipped, never to be claimed", async () => {
      // Prepare
      const { deliver, runState } = setup([{ name: "failures", when: FAILURES }]);

      // Act
      const status = await deliver(job("migrate-x7k2p", "succeeded"));

      // Assess
      expect(status.status).toBe(EventStatus.Completed);
      expect(runState("migrate-x7k2p").deliveries.failures).toMatchObject({ created: { s: "skipped" }, started: { s: "skipped" }, finished: { s: "skipped" } });
    });

    it("keeps the run before as previous when the fixed receiver's finished call is retried after the finish was recorded", async () => {
      // Prepare
      const { deliver, heard, recorders, runState } = setup([{ name: "fixed", when: FIXED }]);
      await deliver(job("migrate-x7k2p", "failed", "2026-11-20T10:01:00Z"));
      recorders.get("fixed")!.failNext(LifecycleEvent.Finished, 1);

      // Act
      const first = await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));
      const again = await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));

      // Assess
      expect(first.status).toBe(EventStatus.Retry);
      expect(again.status).toBe(EventStatus.Completed);
      expect(heard("fixed")).toEqual(["migrate-b9d4q:finished"]);
      expect(runState("migrate-b9d4q").previous).toEqual({ run: { phase: "failed", finishedAt: "2026-11-20T10:01:00Z" }, final: true });
    });

    it("keeps the previous a run saw at its finish when a later run of the pipeline finishes before the retry", async () => {
      // Prepare
      const { deliver, heard, recorders } = setup([{ name: "fixed", when: FIXED }]);
      await deliver(job("migrate-x7k2p", "failed", "2026-11-20T10:01:00Z"));
      recorders.get("fixed")!.failNext(LifecycleEvent.Finished, 1);
      await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));
      await deliver(job("migrate-c2f5m", "failed", "2026-11-20T12:01:00Z"));

      // Act
      await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));

      // Assess
      expect(heard("fixed")).toEqual(["migrate-b9d4q:finished"]);
    });

    it("keeps the later finish as the last one when an earlier run's finish is handled after it", async () => {
      // Prepare
      const { deliver, heard } = setup([{ name: "fixed", when: FIXED }]);
      await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));
      await deliver(job("migrate-x7k2p", "failed", "2026-11-20T10:01:00Z"));

      // Act
      await deliver(job("migrate-c2f5m", "succeeded", "2026-11-20T12:01:00Z"));

      // Assess: the run before the last one succeeded, so nothing was fixed.
      expect(heard("fixed")).toEqual([]);
    });

    it("takes a when that fails on a run as false and says so once per receiver, naming its key", async () => {
      // Prepare: the start-time samples have a number in pipeline.git.pr; these runs do not.
      const config = configWith([{ name: "all" }, { name: "prs", when: `has(pipeline.git.pr) && int(pipeline.git.pr) > 100` }]);
      const prs = new RecordingReceiver("prs");
      const handler = new PipelineHandler({ config, store: new MemoryStateStore(), receivers: [{ receiver: new RecordingReceiver("all"), entry: config.receivers[0]! }, { receiver: prs, entry: config.receivers[1]! }] });
      const warnings: string[] = [];
      const log = { ...SILENT_LOG, warn: (message: string) => void warnings.push(message) };
      const annotated = (name: string): KubeObject => {
        const object = job(name, "failed");
        object.metadata.annotations = { "commit-status.argoproj.io/repo-url": "https://github.com/example/app", "commit-status.argoproj.io/sha": "0123abc", "commit-status.argoproj.io/pr": "feature-7" };
        return object;
      };

      // Act
      for (const name of ["migrate-x7k2p", "migrate-b9d4q"]) {
        const object = annotated(name);
        await finalStatus((ch) => handler.updated({ ...handlerContext(object), log }, object, undefined, ch));
      }

      // Assess
      expect(prs.calls).toEqual([]);
      expect(warnings).toEqual(["receivers[1].when of receiver prs failed on a run and is taken as false"]);
    });

    it("does not read or write a finish record when no when reads previous", async () => {
      // Prepare
      const { deliver, store, finishRecords } = setup([{ name: "all" }, { name: "failures", when: FAILURES }]);

      // Act
      await deliver(job("migrate-x7k2p", "running"));
      await deliver(job("migrate-x7k2p", "failed"));

      // Assess
      expect(finishRecords()).toEqual([]);
      expect(store.operations.map((o) => o.op)).toEqual(["put", "setPaths", "put", "setPaths"]);
    });

    it("reads and writes the finish record once per run, at its finish, for the fixed example", async () => {
      // Prepare
      const { deliver, store, finishRecords } = setup([{ name: "fixed", when: FIXED }]);

      // Act
      await deliver(job("migrate-x7k2p", "running"));
      const beforeFinish = finishRecords().length;
      await deliver(job("migrate-x7k2p", "failed"));
      await deliver(job("migrate-x7k2p", "failed"));

      // Assess
      expect(beforeFinish).toBe(0);
      expect(finishRecords().map((o) => o.op)).toEqual(["get", "put"]);
      expect(store.operations.filter((o) => o.key.startsWith(KeyPrefix.object)).map((o) => o.op)).toEqual(["put", "setPaths", "put", "setPaths"]);
    });

    it("looks previous up before the finish, once, for a when that reads it on an earlier callback", async () => {
      // Prepare
      const { deliver, heard, finishRecords } = setup([{ name: "retry", when: `event == "started" && has(previous.phase) && previous.phase == "failed"` }]);
      await deliver(job("migrate-x7k2p", "failed", "2026-11-20T10:01:00Z"));

      // Act
      await deliver(job("migrate-b9d4q", "running"));
      const lookups = finishRecords().length;
      await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));

      // Assess
      expect(heard("retry")).toEqual(["migrate-b9d4q:started"]);
      // The failed run's finish (get, put), the lookup at the second run's start (get), its finish (get, put).
      expect(lookups).toBe(3);
      expect(finishRecords().map((o) => o.op)).toEqual(["get", "put", "get", "get", "put"]);
    });

    it("does not let a run's own finish become its previous when its finished event is handled again from scratch", async () => {
      // Prepare: the finish is recorded, the run's own state lost (as after a crash between the two writes).
      const { deliver, heard, store } = setup([{ name: "fixed", when: FIXED }]);
      await deliver(job("migrate-x7k2p", "failed", "2026-11-20T10:01:00Z"));
      await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));
      store.items.delete(StoreKey.object("unit", "uid-migrate-b9d4q"));

      // Act
      await deliver(job("migrate-b9d4q", "succeeded", "2026-11-20T11:01:00Z"));

      // Assess: called again (its delivery marks were lost too), because previous is still the failed run, not itself.
      expect(heard("fixed")).toEqual(["migrate-b9d4q:finished", "migrate-b9d4q:finished"]);
    });
  });
});
