import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import type { RunState } from "../../../shared/pipeline/lifecycle";
import { PipelineHandler } from "../../../shared/pipeline/pipeline-handler";
import type { PipelineInfo } from "../../../shared/pipeline/types";
import { LifecycleEvent, type ReceiverContext } from "../../../shared/receivers";
import { EventStatus, type ObjectRecord } from "../../../shared/status";
import { StoreKey } from "../../../shared/store";
import { finalStatus, handlerContext } from "../../helpers/handler-context";
import { MemoryStateStore } from "../../helpers/memory-state-store";
import { RecordingReceiver } from "../../helpers/recording-receiver";
import { runStateOf, type RunRecord } from "../../../shared/pipeline/run-record";

/** Hears only `finished`, like a chat receiver's default `events`. */
class FinishedOnly extends RecordingReceiver {
  handles(event: LifecycleEvent): boolean {
    return event === LifecycleEvent.Finished;
  }
}

/** Reports progress by phase only, and remembers how many calls it had for the run. */
class PhaseProgress extends RecordingReceiver {
  progressKey(info: PipelineInfo): string {
    return info.phase;
  }
  override async updateProgress(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await super.updateProgress(ctx, info);
    ctx.memory?.set({ calls: Number(ctx.memory.value?.calls ?? 0) + 1 });
  }
}

const condition = (status: "Unknown" | "True", reason: string) => ({ conditions: [{ type: "Succeeded", status, reason }] });

/** A v1beta1 PipelineRun with its TaskRuns' statuses embedded (status.taskRuns), as Tekton wrote them before childReferences. */
const pipelineRun = (rv: string, build: "Running" | "Succeeded", test?: "Running"): KubeObject => ({
  apiVersion: "tekton.dev/v1beta1",
  kind: "PipelineRun",
  metadata: { name: "shop-x1", namespace: "ci", uid: "uid-audience", resourceVersion: rv, labels: { "tekton.dev/pipeline": "shop" } },
  status: {
    startTime: "2026-11-20T10:00:00Z",
    ...condition("Unknown", "Running"),
    taskRuns: {
      "shop-x1-build": { pipelineTaskName: "build", status: condition(build === "Running" ? "Unknown" : "True", build) },
      ...(test ? { "shop-x1-test": { pipelineTaskName: "test", status: condition("Unknown", test) } } : {}),
    },
  },
});

const setup = () => {
  const config = parseConfig({
    cluster: "unit",
    watch: [{ group: "tekton.dev", version: "v1beta1", resource: "pipelineruns" }],
    receivers: [
      { name: "chat", type: "console" },
      { name: "phases", type: "console" },
    ],
  });
  const chat = new FinishedOnly("chat");
  const phases = new PhaseProgress("phases");
  const store = new MemoryStateStore();
  const handler = new PipelineHandler({ config, store, receivers: [{ receiver: chat, entry: config.receivers[0]! }, { receiver: phases, entry: config.receivers[1]! }] });
  const key = StoreKey.object("unit", "uid-audience");
  const deliver = async (object: KubeObject) => {
    const stored = store.items.get(key);
    const item = stored ? { stored: { version: stored.version, data: structuredClone(stored.data) as ObjectRecord } } : {};
    return finalStatus((ch) => handler.updated(handlerContext(object, item), object, undefined, ch));
  };
  const runState = (): RunState => runStateOf(store.items.get(key) as { data: RunRecord });
  return { chat, phases, store, deliver, runState };
};

describe("Class: PipelineHandler", () => {
  describe("Method: updated (what each receiver takes)", () => {
    it("never claims a callback outside a receiver's events: it is marked skipped, with no call and no write of its own", async () => {
      // Prepare
      const { chat, store, deliver, runState } = setup();

      // Act
      await deliver(pipelineRun("1", "Running"));

      // Assess
      expect(chat.calls).toEqual([]);
      expect(runState().deliveries.chat).toEqual({ created: { s: "skipped" }, started: { s: "skipped" }, ph: expect.any(String) });
      // One claim write and one record, both for the receiver that did take the callbacks.
      expect(store.operations.map((o) => o.op)).toEqual(["put", "setPaths"]);
    });

    it("writes nothing for a new state of the run's own object that no receiver is told about, and tells the next one in full", async () => {
      // Prepare
      const { phases, store, deliver, runState } = setup();
      await deliver(pipelineRun("1", "Running"));
      const writes = () => store.operations.filter((o) => o.op !== "get").length;
      const before = writes();

      // Act
      const status = await deliver(pipelineRun("2", "Succeeded", "Running"));
      const afterQuiet = writes();
      const taskRuns = {
        "shop-x1-build": { pipelineTaskName: "build", status: condition("True", "Succeeded") },
        "shop-x1-test": { pipelineTaskName: "test", status: condition("True", "Succeeded") },
      };
      await deliver({ ...pipelineRun("3", "Succeeded"), status: { startTime: "2026-11-20T10:00:00Z", completionTime: "2026-11-20T10:01:00Z", ...condition("True", "Succeeded"), taskRuns } });

      // Assess
      expect(status.status).toBe(EventStatus.Skip);
      expect(afterQuiet).toBe(before);
      expect(runState().info?.stages.map((s) => `${s.name}=${s.phase}`)).toEqual(["build=succeeded", "test=succeeded"]);
      expect(phases.calls.at(-1)).toMatchObject({ event: "finished", phase: "succeeded" });
    });

    it("makes a progress call only when the receiver's own progress key moves, and keeps what it remembers in the run item", async () => {
      // Prepare
      const { chat, phases, deliver, runState } = setup();
      await deliver(pipelineRun("1", "Running"));

      // Act: stages move while the run's phase stays running, then the run's phase moves.
      await deliver(pipelineRun("2", "Succeeded", "Running"));
      const afterSamePhase = phases.calls.length;
      const afterSamePhaseChat = chat.calls.length;
      await deliver({ ...pipelineRun("3", "Succeeded"), status: { startTime: "2026-11-20T10:00:00Z", completionTime: "2026-11-20T10:01:00Z", ...condition("True", "Succeeded") } });

      // Assess
      expect(afterSamePhase).toBe(3);
      expect(afterSamePhaseChat).toBe(0);
      expect(phases.calls.map((c) => c.event)).toEqual(["created", "started", "progress", "progress", "finished"]);
      expect(runState().deliveries.phases?.mem).toEqual({ calls: 2 });
      expect(chat.calls.map((c) => c.event)).toEqual(["finished"]);
    });
  });
});
