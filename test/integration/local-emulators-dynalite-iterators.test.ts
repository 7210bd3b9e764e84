import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDynaliteIterators } from "../../cli/local/dynalite-iterators";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import { DynamoStateStore } from "../../shared/store";

interface LevelIterator {
  next(): Promise<unknown>;
}
interface LevelPrototype {
  values(this: unknown, ...args: unknown[]): LevelIterator;
}

/** abstract-level as dynalite's memory-level loads it: the database class whose iterators dynalite opens. */
const dynaliteAbstractLevel = (): { AbstractLevel: { prototype: LevelPrototype } } => {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
  return createRequire(fromDynalite.resolve("memory-level"))("abstract-level");
};

/** true once an iterator is closed: abstract-level refuses to read from it. */
const isClosed = async (iterator: LevelIterator): Promise<boolean> => {
  try {
    await iterator.next();
    return false;
  } catch (error) {
    return (error as { code?: string }).code === "LEVEL_ITERATOR_NOT_OPEN";
  }
};

// Both of dynalite's stores: memory-level by default, classic-level (LevelDB on disk) with a state directory.
describe.each([
  { store: "in memory", stateDir: () => undefined },
  { store: "in a state directory", stateDir: () => join(mkdtempSync(join(tmpdir(), "kube-feedback-state-")), "state") },
])("Function: closeDynaliteIterators, state $store", ({ stateDir }) => {
  const opened: LevelIterator[] = [];
  const prototype = dynaliteAbstractLevel().AbstractLevel.prototype;
  const values = prototype.values;
  let emulators: Emulators;
  let client: DynamoDBClient;

  beforeAll(async () => {
    // Records every iterator dynalite opens on its storage; reading from them afterwards tells whether they were closed.
    prototype.values = function (this: unknown, ...args: unknown[]) {
      const iterator = values.apply(this, args);
      opened.push(iterator);
      return iterator;
    };
    const dir = stateDir();
    emulators = await startEmulators(dir === undefined ? {} : { stateDir: dir });
    client = new DynamoDBClient({ endpoint: emulators.dynamoEndpoint });
    const store = new DynamoStateStore({ tableName: emulators.tableName, client });
    for (let i = 0; i < 30; i++) await store.put(`it/ci/run-${i}`, { i }, undefined, 3_600);
  });

  afterAll(async () => {
    prototype.values = values;
    client?.destroy();
    await emulators?.stop();
  });

  it("closes the iterator of every Scan page and Query, cut short by a Limit or read to the end", async () => {
    // Prepare
    opened.length = 0;

    // Act: a Scan in pages of 7 (five pages, the last read to the end), then a Query.
    let pages = 0;
    let startKey: ScanCommand["input"]["ExclusiveStartKey"];
    do {
      const page = await client.send(new ScanCommand({ TableName: emulators.tableName, Limit: 7, ExclusiveStartKey: startKey }));
      startKey = page.LastEvaluatedKey;
      pages++;
    } while (startKey);
    const query = await client.send(
      new QueryCommand({
        TableName: emulators.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: "it/ci/run-3" } },
      }),
    );

    // Assess
    expect(pages).toBe(5);
    expect(query.Count).toBe(1);
    expect(opened).toHaveLength(pages + 1);
    const closed = await Promise.all(opened.map(isClosed));
    expect(closed.filter(Boolean)).toHaveLength(opened.length);
  });

  it("can be applied again without changing anything", async () => {
    // Act
    closeDynaliteIterators();
    opened.length = 0;
    await client.send(new ScanCommand({ TableName: emulators.tableName, Limit: 3 }));

    // Assess
    expect(opened).toHaveLength(1);
    expect(await isClosed(opened[0]!)).toBe(true);
  });
});
