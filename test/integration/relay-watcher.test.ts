import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EnvelopeType, KubeObject } from "../../shared/envelope";
import { UnsupportedWatchError, WatchGaveUpError } from "../../relay/errors";
import { Watcher, WatcherEvent, type WatchConsumer } from "../../relay/watcher";
import { startFakeKubeApiServer, type FakeKubeApiServer } from "../helpers/fake-kube/index.js";
import { eventually } from "../unit/relay/doubles";

const TARGET = { group: "tekton.dev", version: "v1", plural: "pipelineruns", namespace: "ci" };
const FAST = { baseDelayMs: 5, maxDelayMs: 10, relistJitterMs: 1 };

/** A consumer with room for `room` objects until `makeRoom()`. */
class GatedConsumer implements WatchConsumer {
  readonly taken: Array<{ type: EnvelopeType; name: string }> = [];
  room: number;
  refusals = 0;
  #waiters: Array<() => void> = [];

  constructor(room = Number.POSITIVE_INFINITY) {
    this.room = room;
  }

  offer(type: EnvelopeType, object: KubeObject): boolean {
    if (this.taken.length >= this.room) {
      this.refusals++;
      return false;
    }
    this.taken.push({ type, name: object.metadata.name });
    return true;
  }

  whenWritable(): Promise<void> {
    return this.taken.length < this.room ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }

  makeRoom(): void {
    this.room = Number.POSITIVE_INFINITY;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}

const recordEvents = (watcher: Watcher): string[] => {
  const seen: string[] = [];
  for (const event of Object.values(WatcherEvent)) watcher.on(event, () => seen.push(event));
  return seen;
};

describe("Class: Watcher", () => {
  let server: FakeKubeApiServer;
  let watcher: Watcher | undefined;

  const apply = (name: string) =>
    server.apply({ apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: { name, namespace: "ci" }, spec: {} });

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
  });

  afterEach(async () => {
    watcher?.close();
    await server.stop();
  });

  describe("Method: start", () => {
    it("emits LIST and CONNECT, then RELIST, LIST and CONNECT again when a reconnect gets 410 Gone", async () => {
      // Prepare
      const consumer = new GatedConsumer();
      watcher = new Watcher(server.kubeConfig(), TARGET, consumer, FAST);
      const events = recordEvents(watcher);
      apply("run-1");
      await watcher.start();
      await server.waitForWatches(1);

      // Act
      server.breakWatches();
      apply("run-2");
      server.expireHistory();
      await eventually("the watch reopened after the re-list", () => events.filter((e) => e === WatcherEvent.Connect).length === 3);

      // Assess
      expect(events).toEqual([
        WatcherEvent.List,
        WatcherEvent.Connect,
        WatcherEvent.DataError,
        WatcherEvent.Reconnect,
        // The server accepts the watch, then sends an ERROR event with 410 and ends it.
        WatcherEvent.Connect,
        WatcherEvent.Relist,
        WatcherEvent.List,
        WatcherEvent.Connect,
      ]);
      expect(consumer.taken).toEqual([
        { type: "RESYNC", name: "run-1" },
        { type: "RESYNC", name: "run-1" },
        { type: "RESYNC", name: "run-2" },
      ]);
      expect(watcher.synced).toBe(true);
    });

    it("pauses when the consumer is full and resumes from its cursor without losing or repeating an event", async () => {
      // Prepare
      const consumer = new GatedConsumer(3);
      watcher = new Watcher(server.kubeConfig(), TARGET, consumer, FAST);
      const events = recordEvents(watcher);
      await watcher.start();
      await server.waitForWatches(1);

      // Act
      const created = Array.from({ length: 8 }, (_, i) => apply(`run-${i}`));
      await eventually("the watch paused", () => events.includes(WatcherEvent.Pause) && server.openWatches === 0);
      const cursorWhilePaused = watcher.resourceVersion;
      consumer.makeRoom();
      await eventually("every run was taken", () => consumer.taken.length === created.length);

      // Assess
      const watches = server.requests.filter((r) => r.verb === "watch");
      expect(cursorWhilePaused).toBe(created[2]?.metadata?.resourceVersion);
      expect(watches.at(-1)?.query.resourceVersion).toBe(cursorWhilePaused);
      expect(consumer.taken.map((t) => t.name)).toEqual(created.map((o) => o.metadata?.name));
      expect(consumer.refusals).toBe(1);
      expect(events.filter((e) => e === WatcherEvent.Resume)).toHaveLength(1);
      expect(server.requests.filter((r) => r.verb === "list")).toHaveLength(1);
    });

    it("emits GIVE_UP and rejects with WatchGaveUpError when the list keeps failing", async () => {
      // Prepare
      server.failNext({ verb: "list", plural: "pipelineruns", code: 403, times: 10 });
      watcher = new Watcher(server.kubeConfig(), TARGET, new GatedConsumer(), { ...FAST, maxFailures: 3 });
      const events = recordEvents(watcher);

      // Act
      const started = watcher.start();

      // Assess
      await expect(started).rejects.toBeInstanceOf(WatchGaveUpError);
      expect(events.filter((e) => e === WatcherEvent.ListError)).toHaveLength(4);
      expect(events.at(-1)).toBe(WatcherEvent.GiveUp);
      expect(server.requests.filter((r) => r.verb === "list")).toHaveLength(4);
    });

    it("recovers when the list fails fewer times than maxFailures", async () => {
      // Prepare
      server.failNext({ verb: "list", plural: "pipelineruns", code: 500, times: 2 });
      apply("run-1");
      const consumer = new GatedConsumer();
      watcher = new Watcher(server.kubeConfig(), TARGET, consumer, { ...FAST, maxFailures: 3 });

      // Act
      await watcher.start();

      // Assess
      expect(consumer.taken).toEqual([{ type: "RESYNC", name: "run-1" }]);
      expect(server.requests.filter((r) => r.verb === "list")).toHaveLength(3);
    });
  });

  describe("Method: constructor", () => {
    it("throws UnsupportedWatchError for a core-group kind", () => {
      // Act & Assess
      expect(() => new Watcher(server.kubeConfig(), { group: "", version: "v1", plural: "pods" }, new GatedConsumer())).toThrow(UnsupportedWatchError);
    });
  });
});
