import {
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Job,
} from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WatchConfig } from "../../shared/config";
import { ElectedRelay } from "../../relay/elected";
import { LeaderElector } from "../../relay/leader/elector";
import { LeaseLock } from "../../relay/leader/lease";
import { RelayMetrics } from "../../relay/metrics";
import { findApiServerScript, startApiServer, type RealApiServer } from "../helpers/apiserver";
import { CountingSink, eventually, memoryLog } from "../unit/relay/doubles";

const SCRIPT = findApiServerScript("relay leader election on kube-apiserver");
const WATCH: WatchConfig[] = [{ group: "batch", version: "v1", resource: "jobs", namespaces: ["ci"] }];
const LEASE_NAMESPACE = "relay-system";
const LEASE_NAME = "kube-feedback-relay";

const job = (name: string): V1Job => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name, namespace: "ci" },
  spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } } },
});

const versionOf = (o: { metadata?: { uid?: string; resourceVersion?: string } }): string => `${o.metadata?.uid}@${o.metadata?.resourceVersion}`;

describe.skipIf(!SCRIPT)("Class: ElectedRelay (kube-apiserver)", () => {
  let apiserver: RealApiServer;
  let admin: KubeConfig;
  let relays: ElectedRelay[] = [];

  beforeAll(async () => {
    apiserver = await startApiServer(SCRIPT!);
    admin = apiserver.admin();
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of ["ci", LEASE_NAMESPACE]) await core.createNamespace({ body: { metadata: { name } } });
  });

  afterEach(async () => {
    await Promise.all(relays.map((r) => r.halt()));
    relays = [];
  });

  afterAll(async () => {
    await apiserver?.stop();
  });

  const candidate = (identity: string, sink: CountingSink): ElectedRelay => {
    const kc = apiserver.admin();
    const relay = new ElectedRelay({
      relay: { cluster: "dev", watch: WATCH, sink, buffer: { lingerMs: 2 }, watcher: { baseDelayMs: 10, maxDelayMs: 50 } },
      kc,
      elector: new LeaderElector({
        lock: new LeaseLock(kc.makeApiClient(CoordinationV1Api), LEASE_NAMESPACE, LEASE_NAME),
        identity,
        leaseDurationSeconds: 2,
        renewSeconds: 0.3,
        retrySeconds: 0.2,
      }),
      metrics: new RelayMetrics(),
      log: memoryLog().log,
    });
    relays.push(relay);
    return relay;
  };

  describe("Method: start", () => {
    it("hands over to the standby when the leader dies without releasing, and no state is lost", async () => {
      // Prepare
      const batch = admin.makeApiClient(BatchV1Api);
      const patchStatus = (name: string, status: V1Job["status"]) =>
        batch.patchNamespacedJobStatus({ name, namespace: "ci", body: { status } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      const [sinkA, sinkB] = [new CountingSink(), new CountingSink()];
      const states: V1Job[] = [await batch.createNamespacedJob({ namespace: "ci", body: job("build-1") })];
      const a = candidate("relay-a", sinkA);
      a.start();
      await eventually("a leads and synced", () => a.isLeader && a.status().ready, 10_000);
      const b = candidate("relay-b", sinkB);
      b.start();
      states.push(await patchStatus("build-1", { active: 1 }));
      await eventually("a sent both states", () => sinkA.envelopes.length === 2, 10_000);

      // Act: a stops renewing as a crashed process would; the jobs go on meanwhile.
      await a.halt();
      states.push(await batch.createNamespacedJob({ namespace: "ci", body: job("build-2") }));
      states.push(await patchStatus("build-1", { active: 0, succeeded: 1 }));
      await eventually("b took the lease and synced", () => b.isLeader && b.status().ready, 10_000);
      states.push(await patchStatus("build-2", { active: 1 }));
      await eventually(
        "every state arrived",
        () => {
          const seen = new Set([...sinkA.envelopes, ...sinkB.envelopes].map((e) => versionOf(e.object)));
          return states.every((s) => seen.has(versionOf(s)));
        },
        10_000,
      );

      // Assess
      const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: LEASE_NAME, namespace: LEASE_NAMESPACE });
      expect(sinkA.envelopes).toHaveLength(2);
      expect(sinkB.envelopes.map((e) => `${e.object.metadata.name} ${e.type}`).sort()).toEqual(["build-1 RESYNC", "build-2 MODIFIED", "build-2 RESYNC"]);
      expect(lease.spec).toMatchObject({ holderIdentity: "relay-b", leaseTransitions: 1, leaseDurationSeconds: 2 });
    });

    it("releases the lease on a clean stop, so the standby takes over at once", async () => {
      // Prepare
      const [sinkA, sinkB] = [new CountingSink(), new CountingSink()];
      const a = candidate("relay-c", sinkA);
      a.start();
      await eventually("c leads", () => a.isLeader, 10_000);
      const b = candidate("relay-d", sinkB);
      b.start();

      // Act
      await a.stop();
      await eventually("d took the lease", () => b.isLeader, 10_000);

      // Assess
      const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: LEASE_NAME, namespace: LEASE_NAMESPACE });
      expect(lease.spec?.holderIdentity).toBe("relay-d");
      expect(a.isLeader).toBe(false);
    });
  });
});
