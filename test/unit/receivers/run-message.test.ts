import { describe, expect, it } from "vitest";
import type { Log } from "../../../shared/log";
import { LifecycleEvent, PermanentReceiverError, ReceiverError } from "../../../shared/receivers";
import { ReceiverTargetGoneError } from "../../../shared/receivers/errors";
import { RunMessages, type MessageRef, type MessageWriter } from "../../../shared/receivers/run-message";
import { StoreKey } from "../../../shared/store";
import { pipelineInfo } from "../../helpers/fake-chat";
import { MemoryReceiverStore } from "../../helpers/memory-receiver-store";

const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;

/** A service that numbers its messages and records what the receiver asked of it. */
class RecordingWriter implements MessageWriter {
  readonly calls: { action: "post" | "edit"; ref?: MessageRef }[] = [];
  #next = 1;
  editFails: Error | undefined;

  async post(lost: MessageRef | undefined): Promise<MessageRef> {
    this.calls.push({ action: "post", ...(lost ? { ref: lost } : {}) });
    return { id: `m${this.#next++}` };
  }

  async edit(ref: MessageRef): Promise<void> {
    this.calls.push({ action: "edit", ref });
    if (this.editFails) throw this.editFails;
  }
}

const setup = () => {
  const store = new MemoryReceiverStore();
  return { store, messages: new RunMessages("team-chat", store), writer: new RecordingWriter(), info: pipelineInfo() };
};

describe("Class: RunMessages", () => {
  describe("Method: show", () => {
    it("posts on the first callback and remembers the ids under the run's receiver key", async () => {
      // Prepare
      const { store, messages, writer, info } = setup();

      // Act
      const record = await messages.show(log, info, LifecycleEvent.Created, { text: "pending" }, writer);

      // Assess
      expect(writer.calls).toEqual([{ action: "post" }]);
      expect(record).toMatchObject({ ref: { id: "m1" }, rank: 0, replied: [] });
      expect(store.items.get(StoreKey.runMessage("team-chat", info.cluster, info.uid))).toEqual({ ...record, replied: [] });
    });

    it("edits the remembered message on a later callback and sends nothing for content it already shows", async () => {
      // Prepare
      const { messages, writer, info } = setup();
      await messages.show(log, info, LifecycleEvent.Created, { text: "pending" }, writer);

      // Act
      await messages.show(log, info, LifecycleEvent.Started, { text: "running" }, writer);
      await messages.show(log, info, LifecycleEvent.Progress, { text: "running" }, writer);
      await messages.show(log, info, LifecycleEvent.Finished, { text: "succeeded" }, writer);
      await messages.show(log, info, LifecycleEvent.Finished, { text: "succeeded" }, writer);

      // Assess
      expect(writer.calls).toEqual([{ action: "post" }, { action: "edit", ref: { id: "m1" } }, { action: "edit", ref: { id: "m1" } }]);
    });

    it("leaves the message alone for a replay of an earlier callback", async () => {
      // Prepare
      const { messages, writer, info } = setup();
      await messages.show(log, info, LifecycleEvent.Finished, { text: "succeeded" }, writer);

      // Act
      const record = await messages.show(log, info, LifecycleEvent.Started, { text: "running" }, writer);

      // Assess
      expect(record).toBeUndefined();
      expect(writer.calls).toEqual([{ action: "post" }]);
    });

    it("posts anew when the message is gone, naming the lost one, and forgets the replies of its thread", async () => {
      // Prepare
      const { messages, writer, info } = setup();
      const first = await messages.show(log, info, LifecycleEvent.Started, { text: "running" }, writer);
      await messages.remember(info, { ...first!, replied: ["fetch"] });
      writer.editFails = new ReceiverTargetGoneError("gone", 404);

      // Act
      const record = await messages.show(log, info, LifecycleEvent.Finished, { text: "succeeded" }, writer);

      // Assess
      expect(writer.calls.slice(1)).toEqual([{ action: "edit", ref: { id: "m1" } }, { action: "post", ref: { id: "m1" } }]);
      expect(record).toMatchObject({ ref: { id: "m2" }, rank: 3, replied: [] });
      expect(await messages.recall(info)).toEqual(record);
    });

    it.each([
      { name: "a retryable", error: new ReceiverError("outage") },
      { name: "a permanent", error: new PermanentReceiverError("refused") },
    ])("rethrows $name failure of the edit and remembers what it did before", async ({ error }) => {
      // Prepare
      const { messages, writer, info } = setup();
      const first = await messages.show(log, info, LifecycleEvent.Started, { text: "running" }, writer);
      writer.editFails = error;

      // Act
      const attempt = messages.show(log, info, LifecycleEvent.Finished, { text: "succeeded" }, writer);

      // Assess
      await expect(attempt).rejects.toBe(error);
      expect(writer.calls.map((c) => c.action)).toEqual(["post", "edit"]);
      expect(await messages.recall(info)).toEqual(first);
    });

    it("keeps one message per run: another run of the same pipeline posts its own", async () => {
      // Prepare
      const { messages, writer, info } = setup();
      await messages.show(log, info, LifecycleEvent.Finished, { text: "succeeded" }, writer);

      // Act
      await messages.show(log, { ...info, uid: "another-run" }, LifecycleEvent.Finished, { text: "succeeded" }, writer);

      // Assess
      expect(writer.calls).toEqual([{ action: "post" }, { action: "post" }]);
    });
  });
});
