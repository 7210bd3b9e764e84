import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WatchConfig } from "../../shared/config";
import { RelayMetrics } from "../../relay/metrics";
import { Relay } from "../../relay/relay";
import { startFakeKubeApiServer, type FakeKubeApiServer, type KubeObject } from "../helpers/fake-kube/index.js";
import { CountingSink, eventually, memoryLog } from "../unit/relay/doubles";

const NAMESPACE = "ci";
const WATCH: WatchConfig[] = [
  { group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [NAMESPACE] },
  { group: "tekton.dev", version: "v1", resource: "taskruns", namespaces: [NAMESPACE] },
];
const RUN = { apiVersion: "tekton.dev/v1", kind: "PipelineRun", name: "build-1", namespace: NAMESPACE } as const;
const TASK = { apiVersion: "tekton.dev/v1", kind: "TaskRun", name: "build-1-clone", namespace: NAMESPACE } as const;

const condition = (status: string, reason: string) => ({ conditions: [{ type: "Succeeded", status, reason }] });

const object = (ref: typeof RUN | typeof TASK, status: unknown): KubeObject => ({
  apiVersion: ref.apiVersion,
  kind: ref.kind,
  metadata: { name: ref.name, namespace: ref.namespace },
  spec: {},
  status,
});

/** Every (uid, resourceVersion) the sink received. */
const versionsSeen = (sink: CountingSink): Set<string> =>
  new Set(sink.envelopes.map((e) => `${e.object.metadata.uid}@${e.object.metadata.resourceVersion}`));
const versionOf = (o: KubeObject): string => `${o.metadata?.uid}@${o.metadata?.resourceVersion}`;

describe("Class: Relay", () => {
  let server: FakeKubeApiServer;
  let relay: Relay;

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
  });

  afterEach(async () => {
    await relay?.stop();
    await server.stop();
  });

  describe("Method: start", () => {
    it("re-lists and delivers every state when the watch breaks and comes back with 410 Gone mid-lifecycle", async () => {
      // Prepare
      const sink = new CountingSink();
      const metrics = new RelayMetrics();
      relay = new Relay({
        cluster: "dev",
        watch: WATCH,
        sink,
        log: memoryLog().log,
        metrics,
        buffer: { lingerMs: 2 },
        watcher: { baseDelayMs: 10, maxDelayMs: 20, relistJitterMs: 5 },
      });
      const states: KubeObject[] = [server.apply(object(RUN, condition("Unknown", "Pending")))];
      await relay.start(server.kubeConfig());
      await server.waitForWatches(2);
      states.push(server.patchStatus(RUN, condition("Unknown", "Running")));
      states.push(server.apply(object(TASK, condition("Unknown", "Running"))));
      await eventually("the first three states arrived", () => sink.envelopes.length === 3);

      // Act: the stream drops; while the relay is away the run moves on and history is compacted past its cursor.
      server.breakWatches();
      states.push(server.patchStatus(TASK, condition("True", "Succeeded")));
      states.push(server.patchStatus(RUN, { ...condition("Unknown", "Running"), childReferences: [{ name: TASK.name }] }));
      server.expireHistory();
      await eventually("both watches re-listed and reopened", () => server.openWatches === 2 && relay.synced);
      states.push(server.patchStatus(RUN, condition("True", "Succeeded")));
      await eventually("every state arrived", () => states.every((s) => versionsSeen(sink).has(versionOf(s))));
      await relay.flush();

      // Assess
      const lists = server.requests.filter((r) => r.verb === "list");
      const watches = server.requests.filter((r) => r.verb === "watch");
      expect(lists).toHaveLength(4);
      expect(watches.every((r) => r.query.allowWatchBookmarks === "true")).toBe(true);
      // Order matters per object (one FIFO group each); the two watches interleave freely.
      const seen = (kind: string) =>
        sink.envelopes
          .filter((e) => e.kind === kind)
          .map((e) => `${e.type} ${(e.object.status as ReturnType<typeof condition>).conditions[0]?.reason}`);
      expect(seen("PipelineRun")).toEqual(["RESYNC Pending", "MODIFIED Running", "RESYNC Running", "MODIFIED Succeeded"]);
      expect(seen("TaskRun")).toEqual(["ADDED Running", "RESYNC Succeeded"]);
      expect(await metrics.render()).toMatch(/kube_feedback_relay_watch_relists_total\{resource="pipelineruns.tekton.dev"\} 1/);
      expect(await metrics.render()).toMatch(/kube_feedback_relay_watch_relists_total\{resource="taskruns.tekton.dev"\} 1/);
    });

    it("resumes from the last resourceVersion without re-listing when the stream breaks within history", async () => {
      // Prepare
      const sink = new CountingSink();
      relay = new Relay({
        cluster: "dev",
        watch: WATCH.slice(0, 1),
        sink,
        log: memoryLog().log,
        buffer: { lingerMs: 2 },
        watcher: { baseDelayMs: 10, maxDelayMs: 20 },
      });
      await relay.start(server.kubeConfig());
      await server.waitForWatches(1);
      const created = server.apply(object(RUN, condition("Unknown", "Pending")));
      await eventually("the run arrived", () => sink.envelopes.length === 1);

      // Act
      server.breakWatches();
      const running = server.patchStatus(RUN, condition("Unknown", "Running"));
      await eventually("the missed state arrived", () => sink.envelopes.length === 2);

      // Assess
      const watches = server.requests.filter((r) => r.verb === "watch");
      expect(server.requests.filter((r) => r.verb === "list")).toHaveLength(1);
      expect(watches.at(-1)?.query.resourceVersion).toBe(created.metadata?.resourceVersion);
      expect(sink.envelopes.map((e) => [e.type, e.object.metadata.resourceVersion])).toEqual([
        ["ADDED", created.metadata?.resourceVersion],
        ["MODIFIED", running.metadata?.resourceVersion],
      ]);
    });

    it("moves its cursor to a bookmark so a later reconnect starts there", async () => {
      // Prepare
      const sink = new CountingSink();
      relay = new Relay({ cluster: "dev", watch: WATCH.slice(0, 1), sink, log: memoryLog().log, watcher: { baseDelayMs: 10, maxDelayMs: 20 } });
      await relay.start(server.kubeConfig());
      await server.waitForWatches(1);
      server.apply({ ...object(TASK, condition("Unknown", "Running")) });
      const bookmarkAt = server.resourceVersion;

      // Act
      server.sendBookmarks();
      await eventually("the bookmark was taken", () => relay.watchers[0]?.resourceVersion === bookmarkAt);
      server.breakWatches();
      await server.waitForWatches(1);

      // Assess
      expect(server.requests.filter((r) => r.verb === "watch").at(-1)?.query.resourceVersion).toBe(bookmarkAt);
      expect(sink.envelopes).toHaveLength(0);
    });
  });
});
