import { CoordinationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ElectedRelay } from "../../relay/elected";
import { LeaderElector } from "../../relay/leader/elector";
import { LeaseLock } from "../../relay/leader/lease";
import { RelayMetrics } from "../../relay/metrics";
import { Relay } from "../../relay/relay";
import { makeOperation, serializeOperation, type ReceivedOperation } from "../../shared/operations";
import { eachFakeKubeApiServer } from "../helpers/fake-kube/each.js";
import type { FakeKubeApiServer } from "../helpers/fake-kube/index.js";
import { CountingSink, eventually, HeldSource, memoryLog, type LogLine } from "../unit/relay/doubles";
import { eachLeaseServer, LEASE, TIMINGS } from "../helpers/lease-election";


const OPERATION: ReceivedOperation = {
  id: "m-1",
  body: serializeOperation(makeOperation("dev", { op: "patchStatus", namespace: "apps", name: "deploy", uid: "uid-deploy", status: { isSynced: true } })),
  handle: "h-1",
  receiveCount: 1,
};

interface Candidate {
  relay: ElectedRelay;
  source: HeldSource;
  lines: LogLine[];
}

describe("Class: ElectedRelay with write-back (kubernetes.via: relay)", () => {
  let server: FakeKubeApiServer;
  let candidates: Candidate[];

  const candidate = (identity: string, drainTimeoutMs: number): Candidate => {
    const kc = server.kubeConfig();
    const source = new HeldSource();
    const { log, lines } = memoryLog();
    const relay = new ElectedRelay({
      relay: { cluster: "dev", watch: [], sink: new CountingSink(), writeBack: { source } },
      kc,
      elector: new LeaderElector({ lock: new LeaseLock(kc.makeApiClient(CoordinationV1Api), LEASE.namespace, LEASE.name), identity, ...TIMINGS }),
      metrics: new RelayMetrics(),
      log,
      drainTimeoutMs,
    });
    const entry = { relay, source, lines };
    candidates.push(entry);
    return entry;
  };

  eachLeaseServer(
    (started) => ((server = started), (candidates = [])),
    () => candidates.map((c) => c.relay),
  );

  it("releases the lease before waiting for its last receive, then hands back what it brought for the new leader", async () => {
    // Prepare
    const a = candidate("relay-a", 10_000);
    a.relay.start();
    await eventually("a leads and polls its operations", () => a.relay.isLeader && a.source.receives === 1);
    const b = candidate("relay-b", 10_000);
    b.relay.start();

    // Act
    let stopped = false;
    const stopping = a.relay.stop().then(() => (stopped = true));
    await eventually("b leads while a's receive is still in flight", () => b.relay.isLeader);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stoppedBeforeTheAnswer = stopped;
    const settledBeforeTheAnswer = a.source.settled.length;
    a.source.answer([OPERATION]);
    await stopping;

    // Assess
    expect(stoppedBeforeTheAnswer).toBe(false);
    expect(settledBeforeTheAnswer).toBe(0);
    expect(a.source.settled).toEqual([{ done: [], retry: [{ handle: OPERATION.handle, delaySeconds: 0 }] }]);
    expect(a.lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("hands back, before a stop returns, what the last receive of a term that lost its lease brings", async () => {
    // Prepare
    const a = candidate("relay-a", 10_000);
    a.relay.start();
    await eventually("a leads and polls its operations", () => a.relay.isLeader && a.source.receives === 1);
    const current = server.get(LEASE)!;
    server.apply({ ...current, spec: { ...(current.spec as object), holderIdentity: "intruder", renewTime: new Date().toISOString() } });
    await eventually("a stepped down", () => !a.relay.isLeader);

    // Act: SIGTERM soon after, while the abandoned term's receive is still in flight.
    let stopped = false;
    const stopping = a.relay.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stoppedBeforeTheAnswer = stopped;
    a.source.answer([OPERATION]);
    await stopping;

    // Assess
    expect(stoppedBeforeTheAnswer).toBe(false);
    expect(a.source.settled).toEqual([{ done: [], retry: [{ handle: OPERATION.handle, delaySeconds: 0 }] }]);
  });

  it("aborts the receive in flight and hands nothing back when halted, as a crash would", async () => {
    // Prepare
    const a = candidate("relay-a", 10_000);
    a.relay.start();
    await eventually("a leads and polls its operations", () => a.relay.isLeader && a.source.receives === 1);
    a.source.onAbort = [OPERATION];

    // Act
    await a.relay.halt();
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess
    expect(a.source.aborted).toBe(true);
    expect(a.source.settled).toEqual([]);
  });

  it("says so when its last receive outlasts the drain time, and stops without it", async () => {
    // Prepare
    const a = candidate("relay-a", 300);
    a.relay.start();
    await eventually("a leads and polls its operations", () => a.relay.isLeader && a.source.receives === 1);

    // Act
    await a.relay.stop();

    // Assess
    expect(a.source.settled).toEqual([]);
    expect(a.lines.filter((l) => l.level === "warn").map((l) => l.message)).toEqual([
      "operations received while stopping not handed back in time; they return after the queue's visibility timeout",
    ]);
  });
});

describe("Class: Relay with write-back (kubernetes.via: relay)", () => {
  let server: FakeKubeApiServer;
  let kc: KubeConfig;
  eachFakeKubeApiServer((started, config) => ((server = started), (kc = config)));

  it("stops within its drain time when an operation it applies waits for room in a buffer that cannot drain", async () => {
    // Prepare: the sink is down, the buffer holds ten, the list of twelve CommitStatuses fills it, and a relist must wait for room.
    const COMMIT_STATUS = { apiVersion: "commit-status.argoproj.io/v1alpha1", kind: "CommitStatus" } as const;
    for (let i = 0; i < 12; i++) server.apply({ ...COMMIT_STATUS, metadata: { name: `status-${i}`, namespace: "ci" }, spec: {} });
    const sink = new CountingSink();
    sink.failures = Number.POSITIVE_INFINITY;
    const source = new HeldSource();
    const { log, lines } = memoryLog();
    const relay = new Relay({
      cluster: "dev",
      watch: [{ group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses", namespaces: ["ci"] }],
      sink,
      log,
      buffer: { capacity: 10, lingerMs: 1, retry: { baseMs: 10, maxMs: 20 } },
      writeBack: { source },
    });
    void relay.start(kc);
    await eventually("the list filled the buffer and write-back polls", () => relay.bufferDepth === 10 && source.receives === 1);
    const relist = makeOperation("dev", { op: "relist", namespace: "ci" });
    source.answer([{ ...OPERATION, id: "m-relist", handle: "h-relist", body: serializeOperation(relist) }]);
    const lists = () => server.requests.filter((r) => r.verb === "list" && r.path.includes("commitstatuses")).length;
    await eventually("the relist listed the CommitStatuses and waits for room", () => lists() === 2);

    // Act
    await relay.stop({ timeoutMs: 300 });

    // Assess
    expect(lines.filter((l) => l.message === "dropped buffered envelopes").map((l) => l.fields)).toEqual([{ reason: "shutdown", dropped: 10 }]);
  });
});
