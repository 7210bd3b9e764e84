import { CoordinationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { WatchConfig } from "../../shared/config";
import { ElectedRelay } from "../../relay/elected";
import { LeaderElector } from "../../relay/leader/elector";
import { LeaseLock } from "../../relay/leader/lease";
import { RelayMetrics } from "../../relay/metrics";
import type { FakeKubeApiServer, KubeObject } from "../helpers/fake-kube/index.js";
import { CountingSink, eventually, memoryLog } from "../unit/relay/doubles";
import { eachLeaseServer, LEASE, TIMINGS } from "../helpers/lease-election";

const WATCH: WatchConfig[] = [{ group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: ["ci"] }];
const RUN = { apiVersion: "tekton.dev/v1", kind: "PipelineRun", namespace: "ci" } as const;

const reason = (phase: string) => ({ conditions: [{ type: "Succeeded", status: phase === "Succeeded" ? "True" : "Unknown", reason: phase }] });

interface Candidate {
  identity: string;
  sink: CountingSink;
  relay: ElectedRelay;
  metrics: RelayMetrics;
}

const versionOf = (o: { metadata?: { uid?: string; resourceVersion?: string } }): string => `${o.metadata?.uid}@${o.metadata?.resourceVersion}`;

describe("Class: ElectedRelay", () => {
  let server: FakeKubeApiServer;
  let candidates: Candidate[];

  const candidate = (identity: string, kc: KubeConfig = server.kubeConfig()): Candidate => {
    const sink = new CountingSink();
    const metrics = new RelayMetrics();
    const elector = new LeaderElector({
      lock: new LeaseLock(kc.makeApiClient(CoordinationV1Api), LEASE.namespace, LEASE.name),
      identity,
      ...TIMINGS,
    });
    const relay = new ElectedRelay({
      relay: { cluster: "dev", watch: WATCH, sink, buffer: { lingerMs: 2 }, watcher: { baseDelayMs: 10, maxDelayMs: 50, relistJitterMs: 5 } },
      kc,
      elector,
      metrics,
      log: memoryLog().log,
      drainTimeoutMs: 2_000,
    });
    const entry = { identity, sink, relay, metrics };
    candidates.push(entry);
    return entry;
  };

  const run = (name: string, phase: string): KubeObject =>
    server.apply({ apiVersion: RUN.apiVersion, kind: RUN.kind, metadata: { name, namespace: RUN.namespace }, spec: {}, status: reason(phase) });
  const advance = (name: string, phase: string): KubeObject => server.patchStatus({ ...RUN, name }, reason(phase));
  const lease = () => server.get(LEASE) as { spec?: { holderIdentity?: string; leaseTransitions?: number } } | undefined;

  eachLeaseServer(
    (started) => ((server = started), (candidates = [])),
    () => candidates.map((c) => c.relay),
  );

  describe("Method: start", () => {
    it("lets exactly one of two candidates lead when both start at once", async () => {
      // Prepare
      const [a, b] = [candidate("relay-a"), candidate("relay-b")];
      run("build-1", "Pending");

      // Act
      a.relay.start();
      b.relay.start();
      await eventually("someone leads and synced", () => [a, b].some((c) => c.relay.isLeader && c.relay.status().ready));

      // Assess
      const leaders = [a, b].filter((c) => c.relay.isLeader);
      const standby = [a, b].find((c) => !c.relay.isLeader)!;
      expect(leaders).toHaveLength(1);
      expect(lease()?.spec?.holderIdentity).toBe(leaders[0]?.identity);
      await eventually("the leader sent the run", () => leaders[0]!.sink.envelopes.length === 1);
      expect(standby.sink.envelopes).toHaveLength(0);
      expect(standby.relay.status()).toMatchObject({ live: true, ready: true, detail: { leader: false } });
      expect(server.requests.filter((r) => r.verb === "list")).toHaveLength(1);
      expect(await standby.metrics.render()).toMatch(/kube_feedback_relay_leader 0/);
      expect(await leaders[0]!.metrics.render()).toMatch(/kube_feedback_relay_leader 1/);
    });

    it("hands over to the standby when the leader dies without releasing, and no state is lost", async () => {
      // Prepare
      const a = candidate("relay-a");
      const states = [run("build-1", "Pending")];
      a.relay.start();
      await eventually("a leads and synced", () => a.relay.isLeader && a.relay.status().ready);
      const b = candidate("relay-b");
      b.relay.start();
      states.push(advance("build-1", "Running"));
      await eventually("a sent both states", () => a.sink.envelopes.length === 2);
      const watchesOfA = server.requests.filter((r) => r.verb === "watch").length;

      // Act: a stops renewing as a crashed process would; the run goes on meanwhile.
      await a.relay.halt();
      states.push(run("build-2", "Pending"));
      states.push(advance("build-1", "Succeeded"));
      await eventually("b took the lease", () => b.relay.isLeader, 10_000);
      await eventually("b synced", () => b.relay.status().ready);
      states.push(advance("build-2", "Running"));
      await eventually("every state arrived", () => {
        const seen = new Set([...a.sink.envelopes, ...b.sink.envelopes].map((e) => versionOf(e.object)));
        return states.every((s) => seen.has(versionOf(s)));
      });

      // Assess
      expect(a.sink.envelopes).toHaveLength(2);
      expect(b.sink.envelopes.map((e) => `${e.object.metadata.name} ${e.type}`)).toEqual(
        expect.arrayContaining(["build-1 RESYNC", "build-2 RESYNC", "build-2 MODIFIED"]),
      );
      expect(b.sink.envelopes).toHaveLength(3);
      expect(lease()?.spec).toMatchObject({ holderIdentity: "relay-b", leaseTransitions: 1 });
      // a released nothing: no update left the lease without a holder.
      expect(server.requests.filter((r) => r.verb === "update" && (r.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity === "")).toHaveLength(0);
      expect(server.requests.filter((r) => r.verb === "watch").length).toBeGreaterThan(watchesOfA);
    });

    it("releases the lease on a clean stop, so the standby takes over without waiting for expiry", async () => {
      // Prepare
      const a = candidate("relay-a");
      a.relay.start();
      await eventually("a leads", () => a.relay.isLeader);
      const b = candidate("relay-b");
      b.relay.start();
      await eventually("b has seen the lease", () => server.requests.filter((r) => r.verb === "get" && r.path.includes("/leases/")).length > 2);
      run("build-1", "Pending");
      await eventually("a sent the run", () => a.sink.envelopes.length === 1);

      // Act
      await a.relay.stop();
      await eventually("b took the lease", () => b.relay.isLeader);

      // Assess
      const releases = server.requests.filter((r) => r.verb === "update" && (r.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity === "");
      expect(releases).toHaveLength(1);
      expect(lease()?.spec).toMatchObject({ holderIdentity: "relay-b", leaseTransitions: 1 });
      await eventually("b re-listed the run", () => b.sink.envelopes.length === 1);
      expect(b.sink.envelopes[0]?.type).toBe("RESYNC");
    });

    it("stops shipping at once when another holder takes the lease", async () => {
      // Prepare
      const a = candidate("relay-a");
      a.relay.start();
      await eventually("a leads and synced", () => a.relay.isLeader && a.relay.status().ready);
      run("build-1", "Pending");
      await eventually("a sent the run", () => a.sink.envelopes.length === 1);

      // Act: an intruder writes the lease as its own, as a partitioned leader would find on its return.
      const current = server.get(LEASE)!;
      server.apply({ ...current, spec: { ...(current.spec as object), holderIdentity: "intruder", renewTime: new Date().toISOString() } });
      await eventually("a stepped down", () => !a.relay.isLeader);
      advance("build-1", "Running");
      run("build-2", "Pending");
      await eventually("the watch of a is closed", () => server.openWatches === 0);

      // Assess
      expect(a.sink.envelopes).toHaveLength(1);
      expect(a.relay.status().detail).toMatchObject({ leader: false, holder: "intruder" });
      expect(await a.metrics.render()).toMatch(/kube_feedback_relay_leader 0/);
    });
  });

  describe("Class: LeaseLock", () => {
    const record = (holderIdentity: string) => {
      const now = new Date();
      return { holderIdentity, leaseDurationSeconds: 2, acquireTime: now, renewTime: now, leaseTransitions: 0 };
    };
    const lock = () => new LeaseLock(server.kubeConfig().makeApiClient(CoordinationV1Api), LEASE.namespace, LEASE.name);

    it("returns undefined from create when the lease already exists", async () => {
      // Prepare
      const [first, second] = [lock(), lock()];

      // Act
      const created = await first.create(record("relay-a"));
      const refused = await second.create(record("relay-b"));

      // Assess
      expect(created?.spec?.holderIdentity).toBe("relay-a");
      expect(refused).toBeUndefined();
      expect(lease()?.spec?.holderIdentity).toBe("relay-a");
    });

    it("returns undefined from update for the second of two writers that read the same version", async () => {
      // Prepare
      await lock().create(record("relay-a"));
      const [a, b] = [lock(), lock()];
      const [readByA, readByB] = [await a.get(), await b.get()];

      // Act
      const won = await a.update(readByA!, record("relay-a"));
      const lost = await b.update(readByB!, record("relay-b"));

      // Assess
      expect(won?.spec?.holderIdentity).toBe("relay-a");
      expect(lost).toBeUndefined();
      expect(lease()?.spec?.holderIdentity).toBe("relay-a");
    });

    it("writes renewTime with microsecond precision, as the API server's MicroTime requires", async () => {
      // Act
      await lock().create(record("relay-a"));

      // Assess
      const body = server.requests.find((r) => r.verb === "create")?.body as { spec: { renewTime: string; acquireTime: string } };
      expect(body.spec.renewTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(body.spec.acquireTime).toMatch(/\.\d{6}Z$/);
    });
  });
});
