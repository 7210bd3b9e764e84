import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WatchConfig } from "../../shared/config";
import { validateEnvelope, type Envelope } from "../../shared/envelope";
import { ConfigMapKnownStore, SNAPSHOT_KEY } from "../../relay/known";
import { RelayMetrics } from "../../relay/metrics";
import { Relay } from "../../relay/relay";
import { startFakeKubeApiServer, type FakeKubeApiServer, type KubeObject } from "../helpers/fake-kube/index.js";
import { CountingSink, eventually, memoryLog } from "../unit/relay/doubles";

const CONFIGMAPS = { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap" } as const;
const STATE = { apiVersion: "v1", kind: "ConfigMap", namespace: "relay-system", name: "kube-feedback-relay-known" } as const;
const NAMESPACE = "ci";
const WATCH: WatchConfig[] = [
  { group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [NAMESPACE] },
  { group: "tekton.dev", version: "v1", resource: "taskruns", namespaces: [NAMESPACE] },
  { group: "batch", version: "v1", resource: "jobs", namespaces: [NAMESPACE] },
];
const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

const condition = (status: string, reason: string) => ({ conditions: [{ type: "Succeeded", status, reason }] });

const pipelineRun = (name: string, status: unknown): KubeObject => ({
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  metadata: {
    name,
    namespace: NAMESPACE,
    labels: { "tekton.dev/pipeline": "build" },
    annotations: { "commit-status.argoproj.io/repo-url": "https://github.com/example/shop", "commit-status.argoproj.io/sha": SHA },
  },
  spec: { pipelineRef: { name: "build" } },
  status,
});

const taskRun = (name: string, parent: string): KubeObject => ({
  apiVersion: "tekton.dev/v1",
  kind: "TaskRun",
  metadata: { name, namespace: NAMESPACE, labels: { "tekton.dev/pipelineRun": parent, "tekton.dev/pipelineTask": "build" } },
  spec: {},
  status: condition("Unknown", "Running"),
});

const job = (name: string): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name, namespace: NAMESPACE, annotations: { "commit-status.argoproj.io/sha": SHA } },
  spec: { template: { spec: { containers: [] } } },
  status: { active: 1, startTime: "2026-11-20T10:00:00Z" },
});

const ref = (object: KubeObject) => ({ apiVersion: object.apiVersion!, kind: object.kind!, namespace: NAMESPACE, name: object.metadata!.name! });
const deletedUids = (sink: CountingSink): string[] => sink.envelopes.filter((e) => e.type === "DELETED").map((e) => e.object.metadata.uid).sort();

describe("Class: Relay", () => {
  let server: FakeKubeApiServer;
  let relays: Relay[];

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
    server.registerResource(CONFIGMAPS);
    relays = [];
  });

  afterEach(async () => {
    for (const relay of relays) relay.abandon("test over");
    await server.stop();
  });

  const relay = (sink: CountingSink, kc: KubeConfig = server.kubeConfig(), metrics = new RelayMetrics()): Relay => {
    const created = new Relay({
      cluster: "dev",
      watch: WATCH,
      sink,
      log: memoryLog().log,
      metrics,
      buffer: { lingerMs: 2 },
      watcher: { baseDelayMs: 10, maxDelayMs: 20, relistJitterMs: 5 },
      knownStore: new ConfigMapKnownStore(kc.makeApiClient(CoreV1Api), STATE.namespace, STATE.name),
      knownSaveIntervalMs: 50,
    });
    relays.push(created);
    return created;
  };

  describe("Method: start", () => {
    it("sends exactly one DELETED for each unfinished run deleted while the relay was down, none for the rest", async () => {
      // Prepare: five objects, the relay sees them all and one deletion live, then stops.
      const doomed = server.apply(pipelineRun("doomed", condition("Unknown", "Running")));
      const survivor = server.apply(pipelineRun("survivor", condition("Unknown", "Running")));
      const finished = server.apply(pipelineRun("finished", condition("True", "Succeeded")));
      const child = server.apply(taskRun("doomed-build", "doomed"));
      const nightly = server.apply(job("nightly"));
      const live = server.apply(pipelineRun("live", condition("Unknown", "Running")));
      const before = new CountingSink();
      const first = relay(before);
      await first.start(server.kubeConfig());
      await server.waitForWatches(3);
      server.remove(ref(live));
      await eventually("the live deletion was shipped", () => deletedUids(before).length === 1, 15_000);
      await first.stop();

      // Act: while no relay runs, four objects go; then a new relay process starts.
      for (const object of [doomed, finished, child, nightly]) server.remove(ref(object));
      const after = new CountingSink();
      const metrics = new RelayMetrics();
      const second = relay(after, server.kubeConfig(), metrics);
      await second.start(server.kubeConfig());
      await second.flush();

      // Assess
      expect(deletedUids(before)).toEqual([live.metadata!.uid]);
      expect(deletedUids(after)).toEqual([doomed.metadata!.uid, nightly.metadata!.uid].sort());
      expect(after.envelopes.filter((e) => e.type === "RESYNC").map((e) => e.object.metadata.name)).toEqual([survivor.metadata!.name]);
      const deleted = after.envelopes.find((e) => e.object.metadata.uid === doomed.metadata!.uid)!;
      expect(() => validateEnvelope(JSON.parse(JSON.stringify(deleted)) as Envelope)).not.toThrow();
      expect(deleted.object).toEqual({
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        metadata: { name: "doomed", namespace: NAMESPACE, uid: doomed.metadata!.uid, labels: doomed.metadata!.labels, annotations: doomed.metadata!.annotations },
        spec: { pipelineRef: { name: "build" } },
      });
      expect(await metrics.render()).toMatch(/kube_feedback_relay_vanished_total\{resource="pipelineruns.tekton.dev"\} 1/);
      expect(await metrics.render()).toMatch(/kube_feedback_relay_vanished_total\{resource="jobs.batch"\} 1/);
    });

    it("sends no DELETED again after a second restart once the first was delivered", async () => {
      // Prepare
      const doomed = server.apply(pipelineRun("doomed", condition("Unknown", "Running")));
      server.apply(pipelineRun("survivor", condition("Unknown", "Running")));
      const first = relay(new CountingSink());
      await first.start(server.kubeConfig());
      await first.stop();
      server.remove(ref(doomed));
      const second = new CountingSink();
      const relaySecond = relay(second);
      await relaySecond.start(server.kubeConfig());
      await relaySecond.stop();

      // Act
      const third = new CountingSink();
      const relayThird = relay(third);
      await relayThird.start(server.kubeConfig());
      await relayThird.flush();

      // Assess
      expect(deletedUids(second)).toEqual([doomed.metadata!.uid]);
      expect(deletedUids(third)).toEqual([]);
      expect(third.envelopes.map((e) => e.type)).toEqual(["RESYNC"]);
      expect(server.get(STATE)?.binaryData).toHaveProperty([SNAPSHOT_KEY]);
    });

    it("sends exactly one DELETED for a run deleted while a 410 Gone forced a re-list", async () => {
      // Prepare
      const sink = new CountingSink();
      const metrics = new RelayMetrics();
      const doomed = server.apply(pipelineRun("doomed", condition("Unknown", "Running")));
      const survivor = server.apply(pipelineRun("survivor", condition("Unknown", "Running")));
      const finished = server.apply(pipelineRun("finished", condition("True", "Succeeded")));
      const watching = relay(sink, server.kubeConfig(), metrics);
      await watching.start(server.kubeConfig());
      await server.waitForWatches(3);
      let lists = 0;
      for (const watcher of watching.watchers) watcher.on("LIST", () => lists++);

      // Act: the streams drop; while the relay is away two runs go and history is compacted past its cursor.
      server.breakWatches();
      server.remove(ref(doomed));
      server.remove(ref(finished));
      server.expireHistory();
      await eventually("every watch re-listed", () => lists === 3, 15_000);
      // A second compaction re-lists again: the run is gone from the set, so nothing repeats.
      await server.waitForWatches(3, 15_000);
      server.breakWatches();
      server.patchStatus(ref(survivor), { ...condition("Unknown", "Running"), startTime: "2026-11-20T10:00:00Z" });
      server.expireHistory();
      await eventually("every watch re-listed twice", () => lists === 6, 15_000);
      await watching.flush();

      // Assess
      expect(deletedUids(sink)).toEqual([doomed.metadata!.uid]);
      expect(sink.envelopes.filter((e) => e.object.metadata.uid === survivor.metadata!.uid).map((e) => e.type)).toEqual(["RESYNC", "RESYNC", "RESYNC"]);
      expect(await metrics.render()).toMatch(/kube_feedback_relay_watch_relists_total\{resource="pipelineruns.tekton.dev"\} 2/);
    });
  });
});

describe("Class: ConfigMapKnownStore", () => {
  let server: FakeKubeApiServer;

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
    server.registerResource(CONFIGMAPS);
  });

  afterEach(async () => {
    await server.stop();
  });

  describe("Method: save", () => {
    it("returns the snapshot saved last when two relay processes wrote over each other", async () => {
      // Prepare
      const store = () => new ConfigMapKnownStore(server.kubeConfig().makeApiClient(CoreV1Api), STATE.namespace, STATE.name);
      const [old, next] = [store(), store()];
      await old.load();
      await next.load();
      await old.save(Buffer.from("first"), 1);

      // Act: the new leader writes without having seen the old one's write, then the old one writes once more.
      await next.save(Buffer.from("second"), 2);
      await old.save(Buffer.from("third"), 3);
      const loaded = await store().load();

      // Assess
      expect(loaded?.toString()).toBe("third");
      expect(server.get(STATE)).toMatchObject({ data: { entries: "3" } });
    });
  });
});
