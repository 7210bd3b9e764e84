/**
 * `npm run bench [-- --quick]`: measures the relay, the process function,
 * calls per unit of work, cold starts, cost and the local stack's memory
 * over a long replay, prints one table and writes
 * the figures to bench/results.json. Progress goes to stderr, the table to
 * stdout. Speed is measured here and never asserted in tests.
 * `-- --only calls` measures calls per unit of work (and the cost derived
 * from them) alone: those keys of bench/results.json are replaced, the
 * others kept as the last full run wrote them. `-- --only relay` does the
 * same for the relay beside parse-only and makeInformer (and its known-object
 * memory).
 */
import "./env";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./bundle";
import { measureCalls } from "./calls";
import { measureColdStart } from "./coldstart";
import { estimateCost, PRICES } from "./cost";
import { measureProcess } from "./process";
import { buildConsumers, measureRelay, renderKnownMemory, type RelayResult } from "./relay";
import { buildReplayMemoryConsumer, measureReplayMemory } from "./replay-memory";
import { renderCallsTable, renderRelayTable, renderTable, type BenchResults } from "./table";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, only: { type: "string" } } });
const quick = values.quick;
if (values.only !== undefined && values.only !== "calls" && values.only !== "relay") {
  process.stderr.write(`--only: "${values.only}" is not a part that can be measured alone (calls, relay)\n`);
  process.exit(2);
}
const sizes = quick
  ? { relayObjects: [500, 2_000], relayPairs: 1, processRuns: 30, processPairs: 1, callRuns: 30, starts: 3, memoryRuns: 2_000, memoryWaves: 4 }
  : { relayObjects: [1_000, 10_000], relayPairs: 3, processRuns: 150, processPairs: 5, callRuns: 100, starts: 5, memoryRuns: 5_000, memoryWaves: 5 };

const step = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  process.stderr.write(`${label}… `);
  const result = await work();
  process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
};

const started = performance.now();
const resultsPath = join(ROOT, "bench", "results.json");
if (values.only === "calls") {
  const calls = await step(`calls, ${sizes.callRuns} runs with and without duplicates, token and App`, () => measureCalls(sizes.callRuns));
  const cost = [estimateCost("as recorded", calls.clean), estimateCost("with 30% duplicate deliveries", calls.duplicated)];
  const callsTable = renderCallsTable(calls, cost);
  process.stdout.write(`${callsTable}\n`);
  // `table` stays the last full run's; `callsTable` is this run's part of it.
  const last = JSON.parse(readFileSync(resultsPath, "utf8")) as Record<string, unknown>;
  writeFileSync(resultsPath, `${JSON.stringify({ ...last, calls, cost, callsMeasuredAt: new Date().toISOString(), callsQuick: quick, callsTable }, null, 2)}\n`);
  process.stderr.write(`calls and cost in bench/results.json replaced; the other figures are the last full run's\n`);
  process.exit(0);
}
const consumers = await step("bundling the relay benchmark's consumers", buildConsumers);
const relay: RelayResult[] = [];
for (const objects of sizes.relayObjects) {
  relay.push(await step(`relay, ${objects} Jobs, ${sizes.relayPairs} pair(s), then as many unfinished PipelineRuns`, () => measureRelay(objects, consumers, sizes.relayPairs)));
}
if (values.only === "relay") {
  const relayTable = `${renderRelayTable(relay)}\n\n${renderKnownMemory(relay)}`;
  process.stdout.write(`${relayTable}\n`);
  // `table` stays the last full run's; `relayTable` is this run's part of it.
  const last = JSON.parse(readFileSync(resultsPath, "utf8")) as Record<string, unknown>;
  writeFileSync(resultsPath, `${JSON.stringify({ ...last, relay, relayMeasuredAt: new Date().toISOString(), relayQuick: quick, relayTable }, null, 2)}\n`);
  process.stderr.write(`relay in bench/results.json replaced; the other figures are the last full run's\n`);
  process.exit(0);
}
const processResult = await step(`process, ${sizes.processRuns} runs, ${sizes.processPairs} pairs`, () => measureProcess(sizes.processRuns, sizes.processPairs));
const calls = await step(`calls, ${sizes.callRuns} runs with and without duplicates`, () => measureCalls(sizes.callRuns));
const coldStart = await step("cold start of each function bundle", () => measureColdStart(sizes.starts));
const replayMemory = await step(`local replay memory, ${sizes.memoryRuns} runs with and without the state sweeper`, async () =>
  measureReplayMemory(sizes.memoryRuns, sizes.memoryWaves, await buildReplayMemoryConsumer()),
);
const cost = [estimateCost("as recorded", calls.clean), estimateCost("with 30% duplicate deliveries", calls.duplicated)];

const results: BenchResults = { relay, process: processResult, calls, coldStart, cost, replayMemory };
const table = `${renderTable(results)}\n\n${renderKnownMemory(relay)}`;
process.stdout.write(`${table}\n`);
const machine = { node: process.version, platform: `${process.platform}/${process.arch}`, cpu: cpus()[0]?.model ?? "unknown", cores: availableParallelism() };
writeFileSync(
  resultsPath,
  `${JSON.stringify({ measuredAt: new Date().toISOString(), quick, sizes, machine, prices: PRICES, ...results, table }, null, 2)}\n`,
);
process.stderr.write(`bench/results.json written; ${((performance.now() - started) / 1000).toFixed(0)} s in all on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}\n`);
