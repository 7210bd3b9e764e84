import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import { DynamoStateStore, StoreKey } from "../../shared/store";

/**
 * The state store on dynalite, over the wire: what a record's UpdateItem
 * returns (`ReturnValues: ALL_NEW`) is what the table then holds, since the
 * process function keeps that answer as the run's item (shared/store/cache.ts).
 */
describe("Class: DynamoStateStore, on dynalite", () => {
  let emulators: Emulators;
  let client: DynamoDBClient;
  let store: DynamoStateStore;

  beforeAll(async () => {
    emulators = await startEmulators();
    client = new DynamoDBClient({ endpoint: emulators.dynamoEndpoint });
    store = new DynamoStateStore({ tableName: emulators.tableName, client });
  });
  afterAll(async () => {
    client?.destroy();
    await emulators?.stop();
  });

  describe("Method: setPaths", () => {
    it("returns the item as written, equal to a strongly consistent read of it", async () => {
      // Prepare: a run item with a claim, as the pipeline handler writes it before calling
      const key = StoreKey.object("dynalite", "run-all-new");
      const version = await store.put(key, { run: { d: { scm: { c: 1_700_000_000_000 } }, p: "running" }, u: 1 }, undefined, 86_400);

      // Act
      const written = await store.setPaths(key, [
        { path: ["run", "d", "scm", "c"], value: "d" },
        { path: ["run", "d", "scm", "m"], value: { at: "x", ids: [7] } },
      ]);

      // Assess
      expect(written).toEqual({ version: version + 1, data: { run: { d: { scm: { c: "d", m: { at: "x", ids: [7] } } }, p: "running" }, u: 1 } });
      expect(await store.get(key)).toEqual(written);
    });

    it("returns nothing and writes nothing when there is nothing to set", async () => {
      // Prepare
      const key = StoreKey.object("dynalite", "run-nothing");
      await store.put(key, { run: { p: "pending" } }, undefined, 86_400);

      // Act
      const written = await store.setPaths(key, []);

      // Assess
      expect(written).toBeUndefined();
      expect((await store.get(key))?.version).toBe(1);
    });
  });
});
