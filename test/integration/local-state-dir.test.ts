import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { startEmulators } from "../../cli/local/emulators";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { StateDirError } from "../../cli/local/state-dir";
import { parseConfig } from "../../shared/config";
import { DynamoStateStore, StoreKey } from "../../shared/store";
import { runRecord, runStateOf, type RunRecord } from "../../shared/pipeline/run-record";

const config = parseConfig({ cluster: "persist", watch: [{ group: "batch", version: "v1", resource: "jobs" }] });

/** The stack's own table, read and written through the real store over the wire. */
const storeOf = (stack: LocalStack): { store: DynamoStateStore; client: DynamoDBClient } => {
  const client = new DynamoDBClient({ endpoint: stack.emulators.dynamoEndpoint });
  return { store: new DynamoStateStore({ tableName: stack.emulators.tableName, client }), client };
};

/** A run whose `started` call was claimed by a process that never recorded it; `created` was delivered. */
const claimedRun = (): RunRecord =>
  runRecord({ stages: [], deliveries: { hook: { created: { s: "done" }, started: { s: "claimed", exp: Date.now() + 3_600_000 } } } }, new Date().toISOString());

describe("Function: startLocalStack with a state directory", () => {
  it("keeps the table across a restart, sweeps what expired meanwhile and reopens the claims left behind", async () => {
    // Prepare
    const stateDir = join(mkdtempSync(join(tmpdir(), "kube-feedback-state-")), "state");
    const first = await startLocalStack({ config, stateDir });
    const before = storeOf(first);
    const run = StoreKey.object("persist", "run-1");
    await before.store.put(run, claimedRun(), undefined, 86_400);
    await before.store.put(StoreKey.object("persist", "live"), { kept: true }, undefined, 86_400);
    await before.store.put(StoreKey.object("persist", "expired"), { kept: false }, undefined, -60);
    before.client.destroy();
    await first.stop();

    // Act
    const second = await startLocalStack({ config, stateDir });
    const after = storeOf(second);
    try {
      // Assess
      expect(second.sweeper.deleted).toBe(1);
      expect(await after.store.get(StoreKey.object("persist", "expired"))).toBeUndefined();
      expect((await after.store.get(StoreKey.object("persist", "live")))?.data).toEqual({ kept: true });
      const reopened = await after.store.get<RunRecord>(run);
      // Its lease ended: the next event makes the call at once, told it may repeat one (PlannedCall.repeat)
      expect(runStateOf(reopened).deliveries.hook).toEqual({ created: { s: "done" }, started: { s: "claimed", exp: 0 } });
    } finally {
      after.client.destroy();
      await second.stop();
    }
  });

  it("keeps nothing without one", async () => {
    // Prepare
    const first = await startLocalStack({ config });
    const before = storeOf(first);
    await before.store.put(StoreKey.object("persist", "run-1"), claimedRun(), undefined, 86_400);
    before.client.destroy();
    await first.stop();

    // Act
    const second = await startLocalStack({ config });
    const after = storeOf(second);
    try {
      // Assess
      expect(second.emulators.stateDir).toBeUndefined();
      expect(await after.store.get(StoreKey.object("persist", "run-1"))).toBeUndefined();
    } finally {
      after.client.destroy();
      await second.stop();
    }
  });

  it("refuses a second opener of the directory while the first holds it, and lets it in once the first stopped", async () => {
    // Prepare
    const stateDir = join(mkdtempSync(join(tmpdir(), "kube-feedback-state-")), "state");
    const holder = await startEmulators({ stateDir });

    // Act
    const refused = await startEmulators({ stateDir }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await holder.stop();
    const next = await startEmulators({ stateDir });
    await next.stop();

    // Assess
    expect(refused).toBeInstanceOf(StateDirError);
    expect((refused as Error).message).toBe(`--state-dir ${stateDir}: in use by another kube-feedback process (one directory per process)`);
    expect(next.stateDir).toBe(stateDir);
  });
});
