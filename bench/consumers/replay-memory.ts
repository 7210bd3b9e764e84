/**
 * Child process of the local replay memory benchmark. A long local replay
 * compressed into seconds: runs arrive in waves, one wave per state TTL
 * (`stateTtlDays: 1`, the shortest the config allows), and time is simulated
 * (wave k happens on day k) for the TTLs the real store writes and for the
 * sweeper's clock alike.
 *
 * The first runs go the whole local path (relay, fauxqs, the real process
 * handler behind the poller, dynalite) and leave the state items the
 * pipeline writes. Pushing thousands of runs through that path would take
 * minutes, so every further run writes a copy of one of those items under
 * its own key, through the real store over the wire: the same size and shape
 * as the pipeline's own write. With BENCH_SWEEP=1 the StateSweeper the local
 * stack runs sweeps after each wave; without it the table keeps everything,
 * as dynalite alone does. Prints one JSON line of figures and exits. Started
 * with --expose-gc so that memory is measured after a full collection.
 */
import "../env";
import { DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand as DocumentScanCommand } from "@aws-sdk/lib-dynamodb";
import { StateSweeper } from "../../cli/local/sweeper";
import { parseConfig } from "../../shared/config";
import { DynamoStateStore, type StateStore, type StoredItem } from "../../shared/store";
import { CI_NAMESPACE } from "../../test/helpers/chaos/workload";
import { replayObjects } from "../process";
import type { ReplayMemoryFigures } from "../replay-memory";
import { CountingReceiver, processed, ship, startBenchStack } from "../stack";

const runs = Number(process.env.BENCH_RUNS ?? 2_000);
const waves = Number(process.env.BENCH_WAVES ?? 5);
const sweep = process.env.BENCH_SWEEP === "1";
/** Runs replayed through the whole local path; their state items are the ones copied. */
const SAMPLED_RUNS = 12;
const TTL_SECONDS = 86_400;
/** Copies written at once, as concurrent invocations would. */
const CONCURRENCY = 16;

const collect = globalThis.gc ?? (() => undefined);

const countItems = async (client: DynamoDBClient, tableName: string): Promise<number> => {
  let count = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, Select: "COUNT", ExclusiveStartKey: startKey }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
};

/** The real store, its TTLs written on the simulated day. */
class SimulatedDayStore implements StateStore {
  readonly #inner: StateStore;
  readonly #day: () => number;
  constructor(inner: StateStore, day: () => number) {
    this.#inner = inner;
    this.#day = day;
  }
  get<S>(key: string): Promise<StoredItem<S> | undefined> {
    return this.#inner.get<S>(key);
  }
  put<S>(key: string, data: S, expectedVersion: number | undefined, ttlSeconds: number): Promise<number> {
    return this.#inner.put(key, data, expectedVersion, ttlSeconds + this.#day() * TTL_SECONDS);
  }
  setPaths(key: string, assignments: ReadonlyArray<{ path: readonly string[]; value: unknown }>): Promise<StoredItem | undefined> {
    return this.#inner.setPaths(key, assignments);
  }
}

let day = 0;
const config = parseConfig({
  cluster: "bench",
  watch: [
    { group: "batch", version: "v1", resource: "jobs", namespaces: [CI_NAMESPACE] },
    { group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [CI_NAMESPACE] },
    { group: "tekton.dev", version: "v1", resource: "taskruns", namespaces: [CI_NAMESPACE] },
  ],
  receivers: [{ name: "counter", type: "console" }],
  processing: { stateTtlDays: TTL_SECONDS / 86_400 },
});
const counter = new CountingReceiver("counter");
const stack = await startBenchStack({
  config,
  process: (emulators) => ({
    store: new SimulatedDayStore(new DynamoStateStore({ tableName: emulators.tableName }), () => day),
    receivers: [{ receiver: counter, entry: config.receivers[0]! }],
  }),
});
const client = new DynamoDBClient({ endpoint: stack.emulators.dynamoEndpoint });
const sweeper = new StateSweeper({
  tableName: stack.emulators.tableName,
  client,
  // One second on: DynamoDB expires an item once its TTL is strictly in the past.
  now: () => Math.floor(Date.now() / 1000) + day * TTL_SECONDS + 1,
});

const store = new SimulatedDayStore(new DynamoStateStore({ tableName: stack.emulators.tableName, client }), () => day);
const documents = DynamoDBDocumentClient.from(client);
const tableItems = async (): Promise<Array<Record<string, unknown>>> => {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new DocumentScanCommand({ TableName: stack.emulators.tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

// Day 0 starts with the sampled runs through the whole path.
const objects = replayObjects(SAMPLED_RUNS, 1_000);
await ship(stack.relay, objects);
await processed(stack);
const samples = (await tableItems()).map((item) => ({ pk: String(item.pk), data: item.data }));
if (samples.length === 0) throw new Error("replay memory: the sampled runs left no state");

let written = samples.length;
let peakItems = 0;
const perWave = Math.ceil(runs / waves);
for (; day < waves; day++) {
  const copies = perWave - (day === 0 ? samples.length : 0);
  for (let i = 0; i < copies; i += CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONCURRENCY, copies - i) }, (_, j) => {
      const sample = samples[(i + j) % samples.length]!;
      return store.put(`${sample.pk}~day${day}-${i + j}`, sample.data, undefined, TTL_SECONDS);
    });
    await Promise.all(batch);
    written += batch.length;
  }
  // Still on day `day`: earlier waves are past their TTL, this one is not.
  if (sweep) while ((await sweeper.sweep()) > 0);
  peakItems = Math.max(peakItems, await countItems(client, stack.emulators.tableName));
}

const items = await countItems(client, stack.emulators.tableName);
collect();
const memory = process.memoryUsage();
const figures: ReplayMemoryFigures = {
  sweep,
  runs: written,
  waves,
  sampledRuns: SAMPLED_RUNS,
  sampledEvents: objects.length,
  items,
  peakItems,
  deleted: sweeper.deleted,
  heapUsedKb: Math.round(memory.heapUsed / 1024),
  arrayBuffersKb: Math.round(memory.arrayBuffers / 1024),
  rssKb: Math.round(memory.rss / 1024),
  maxRssKb: process.resourceUsage().maxRSS,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
client.destroy();
await stack.stop();
process.exit(0);
