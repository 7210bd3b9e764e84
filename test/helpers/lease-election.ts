/**
 * Leader election on the fake API server, for the relay's election tests:
 * the Lease resource it serves, the relay's Lease, timings short enough for
 * a test, and a server per test whose relays are halted after it.
 */
import { afterEach, beforeEach } from "vitest";
import { startFakeKubeApiServer, type FakeKubeApiServer } from "./fake-kube/index.js";

/** coordination.k8s.io/v1 Leases, which the fake API server serves only when registered. */
export const LEASES = { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease" } as const;

/** The relay's Lease, as infra/relay names it. */
export const LEASE = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "relay-system", name: "kube-feedback-relay" } as const;

/** A 2 s lease that a standby polls every 0.2 s: a takeover after a crash happens within a few seconds. */
export const TIMINGS = { leaseDurationSeconds: 2, renewSeconds: 0.3, retrySeconds: 0.2 };

/**
 * A fake API server serving Leases for each test, handed over as it starts;
 * after the test, the relays `running` names are halted and the server stopped.
 */
export const eachLeaseServer = (started: (server: FakeKubeApiServer) => void, running: () => ReadonlyArray<{ halt(): Promise<void> }>): void => {
  let server: FakeKubeApiServer | undefined;
  beforeEach(async () => {
    server = await startFakeKubeApiServer();
    server.registerResource(LEASES);
    started(server);
  });
  afterEach(async () => {
    await Promise.all(running().map((relay) => relay.halt()));
    await server?.stop();
    server = undefined;
  });
};
