import { DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import { startLocalStack } from "../../cli/local/stack";
import { StateSweeper } from "../../cli/local/sweeper";
import { parseConfig } from "../../shared/config";
import { DynamoStateStore, ensureStateTable } from "../../shared/store";
import { eventually } from "../helpers/eventually";

const DAY = 86_400;

/** Items in the table, counted through a paginated Scan over the wire. */
const countItems = async (client: DynamoDBClient, tableName: string): Promise<number> => {
  let count = 0;
  let startKey: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, Select: "COUNT", ExclusiveStartKey: startKey }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey as typeof startKey;
  } while (startKey);
  return count;
};

/** Writes `n` run-state items through the real store, each with the given TTL from now (negative: already expired). */
const writeRuns = async (store: DynamoStateStore, prefix: string, n: number, ttlSeconds: number): Promise<void> => {
  for (let i = 0; i < n; i++) await store.put(`${prefix}/${i}`, { run: { ph: "Succeeded", i } }, undefined, ttlSeconds);
};

describe("Class: StateSweeper", () => {
  let emulators: Emulators;
  let client: DynamoDBClient;
  let store: DynamoStateStore;
  let tableName: string;
  let table = 0;

  beforeAll(async () => {
    emulators = await startEmulators();
    client = new DynamoDBClient({ endpoint: emulators.dynamoEndpoint });
  });

  afterAll(async () => {
    client?.destroy();
    await emulators?.stop();
  });

  beforeEach(async () => {
    // A fresh table per test, so counts are the test's own.
    tableName = `sweeper-${++table}`;
    await ensureStateTable(client, tableName);
    store = new DynamoStateStore({ tableName, client });
  });

  describe("Method: sweep", () => {
    it("deletes the items past their TTL and keeps the others", async () => {
      // Prepare
      await writeRuns(store, "it/ci/expired", 40, -60);
      await writeRuns(store, "it/ci/live", 15, 30 * DAY);
      const sweeper = new StateSweeper({ tableName, client, scanPageSize: 7 });

      // Act
      const deleted = await sweeper.sweep();

      // Assess
      expect(deleted).toBe(40);
      expect(await countItems(client, tableName)).toBe(15);
      expect(await store.get("it/ci/live/0")).toBeDefined();
      expect(await store.get("it/ci/expired/0")).toBeUndefined();
    });

    it("keeps items without a TTL, as DynamoDB does", async () => {
      // Prepare
      await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: "no-ttl" }, version: { N: "1" } } }));
      await writeRuns(store, "it/ci/expired", 3, -1);

      // Act
      const deleted = await new StateSweeper({ tableName, client }).sweep();

      // Assess
      expect(deleted).toBe(3);
      expect(await countItems(client, tableName)).toBe(1);
    });

    it("deletes at most maxDeletesPerSweep items per sweep and the rest in the next ones", async () => {
      // Prepare
      await writeRuns(store, "it/ci/expired", 60, -60);
      await writeRuns(store, "it/ci/live", 5, DAY);
      const sweeper = new StateSweeper({ tableName, client, maxDeletesPerSweep: 25, scanPageSize: 10 });

      // Act
      const first = await sweeper.sweep();
      const afterFirst = await countItems(client, tableName);
      const rest = [await sweeper.sweep(), await sweeper.sweep(), await sweeper.sweep()];

      // Assess
      expect(first).toBe(25);
      expect(afterFirst).toBe(40);
      expect(rest).toEqual([25, 10, 0]);
      expect(await countItems(client, tableName)).toBe(5);
      expect(sweeper.deleted).toBe(60);
    });

    it("expires items once the clock passes their TTL", async () => {
      // Prepare
      await writeRuns(store, "it/ci/day", 8, DAY);
      await writeRuns(store, "it/ci/month", 4, 30 * DAY);
      let now = Math.floor(Date.now() / 1000);
      const sweeper = new StateSweeper({ tableName, client, now: () => now });

      // Act
      const today = await sweeper.sweep();
      now += 2 * DAY;
      const inTwoDays = await sweeper.sweep();

      // Assess
      expect([today, inTwoDays]).toEqual([0, 8]);
      expect(await countItems(client, tableName)).toBe(4);
    });
  });

  describe("Method: start", () => {
    let sweeper: StateSweeper | undefined;

    afterEach(async () => {
      await sweeper?.stop();
    });

    it("sweeps on its interval until stopped", async () => {
      // Prepare
      await writeRuns(store, "it/ci/expired", 12, -60);
      sweeper = new StateSweeper({ tableName, client, intervalMs: 20 });

      // Act
      sweeper.start();
      await eventually(() => sweeper!.sweeps >= 2);
      await sweeper.stop();
      const sweepsAtStop = sweeper.sweeps;
      await writeRuns(store, "it/ci/later", 3, -60);
      await new Promise((resolve) => setTimeout(resolve, 100));

      // Assess: the first sweeps took the 12; nothing ran after stop, so the later 3 stay.
      expect(sweeper.deleted).toBe(12);
      expect(sweeper.sweeps).toBe(sweepsAtStop);
      expect(await countItems(client, tableName)).toBe(3);
    });

    it("rejects an interval that is not positive", () => {
      expect(() => new StateSweeper({ tableName, client, intervalMs: 0 })).toThrow(/intervalMs must be positive/);
    });
  });
});

describe("Function: startLocalStack", () => {
  it("sweeps expired state from its table while it runs", async () => {
    // Prepare
    const config = parseConfig({ cluster: "sweep-it", watch: [{ group: "batch", version: "v1", resource: "jobs" }] });
    const stack = await startLocalStack({ config, sweeper: { intervalMs: 25 } });
    const client = new DynamoDBClient({ endpoint: stack.emulators.dynamoEndpoint });
    const store = new DynamoStateStore({ tableName: stack.emulators.tableName, client });
    try {
      // Act
      await writeRuns(store, "sweep-it/ci/expired", 30, -60);
      await writeRuns(store, "sweep-it/ci/live", 6, DAY);
      // The items are gone from the table a moment before the sweeper has counted its last batch's answer.
      await eventually(async () => (await countItems(client, stack.emulators.tableName)) === 6 && stack.sweeper.deleted >= 30);

      // Assess
      expect(stack.sweeper.deleted).toBe(30);
    } finally {
      client.destroy();
      await stack.stop();
    }
  });
});
