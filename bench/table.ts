/**
 * The benchmark's one table, as GitHub-flavoured markdown: it reads in a
 * terminal and pastes into the README as it is.
 */
import type { CallsResult, ReplayCalls } from "./calls";
import type { ColdStartRow } from "./coldstart";
import { PRICES, type CostEstimate } from "./cost";
import { ratiosText } from "./pairs";
import type { ProcessResult } from "./process";
import type { ForwardingResult, RelayResult } from "./relay";
import type { ReplayMemoryResult } from "./replay-memory";

export interface BenchResults {
  relay: RelayResult[];
  process: ProcessResult;
  calls: CallsResult;
  coldStart: ColdStartRow[];
  cost: CostEstimate[];
  replayMemory: ReplayMemoryResult;
}

type Row = [area: string, measure: string, value: string, reference: string, ratio: string];

const n = (value: number, digits = 0): string => value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (kb: number): string => `${n(kb / 1024, 1)} MB`;
const kb = (bytes: number): string => `${n(bytes / 1024, 0)} kB`;
const usd = (value: number): string => `$${n(value, 2)}`;
const ratio = (value: number): string => n(value, 2);

const medianOfPairs = (count: number): string => (count === 1 ? "one pair" : `median of ${count} pairs`);

/** The makeInformer whose handlers slim and serialise each object in its envelope (bench/consumers/forwarding.ts). */
const FORWARDING = "makeInformer slimming and serialising";

/** Beside the forwarding informer: its own median pair of each replay. */
const forwardingRows = (f: ForwardingResult): Row[] => [
  ["", "events per CPU-second", n(f.first.relay.eventsPerCpuSecond), `${n(f.first.forwarding.eventsPerCpuSecond)} ${FORWARDING}`, ratio(f.first.rateRatio)],
  ["", "peak RSS", mb(f.first.relay.maxRssKb), `${mb(f.first.forwarding.maxRssKb)} ${FORWARDING}`, ratio(f.first.rssRatio)],
  ["", "events per CPU-second, second replay", n(f.warm.relay.eventsPerCpuSecond), `${n(f.warm.forwarding.eventsPerCpuSecond)} ${FORWARDING}`, ratio(f.warm.rateRatio)],
  ["", `relay / ${FORWARDING} rate, each pair`, ratiosText(f.rateRatios.first), `second replay: ${ratiosText(f.rateRatios.warm)}`, ""],
];

/** The first replay after start, as this table always showed it, then the second replay into the same processes. */
const relayRows = (r: RelayResult): Row[] => [
  [
    `Relay, ${n(r.objects)} Jobs (${n(r.events)} watch events; ${medianOfPairs(r.informerRateRatios.first.length)})`,
    "events per CPU-second",
    n(r.relay.eventsPerCpuSecond),
    `${n(r.parseOnly.eventsPerCpuSecond)} parse-only`,
    ratio(r.rateRatio),
  ],
  ["", "peak RSS", mb(r.relay.maxRssKb), `${mb(r.parseOnly.maxRssKb)} parse-only`, ratio(r.rssRatio)],
  ["", "events per CPU-second", n(r.relay.eventsPerCpuSecond), `${n(r.informer.eventsPerCpuSecond)} makeInformer`, ratio(r.informerRateRatio)],
  ["", "peak RSS", mb(r.relay.maxRssKb), `${mb(r.informer.maxRssKb)} makeInformer`, ratio(r.informerRssRatio)],
  ["", "events per CPU-second, second replay", n(r.warm.relay.eventsPerCpuSecond), `${n(r.warm.informer.eventsPerCpuSecond)} makeInformer`, ratio(r.warm.informerRateRatio)],
  ["", "peak RSS after the second replay", mb(r.warm.relay.maxRssKb), `${mb(r.warm.informer.maxRssKb)} makeInformer`, ratio(r.warm.informerRssRatio)],
  ["", "relay / makeInformer rate, each pair", ratiosText(r.informerRateRatios.first), `second replay: ${ratiosText(r.informerRateRatios.warm)}`, ""],
  ...forwardingRows(r.forwarding),
];

const processRows = (p: ProcessResult): Row[] => [
  [
    `process, ${n(p.pipeline.events)} watch events of ${n(p.runs)} runs (median of ${p.ratios.length} pairs)`,
    "events per second",
    n(p.pipeline.eventsPerSecond, 1),
    `${n(p.noop.eventsPerSecond, 1)} no-op handler`,
    ratio(p.ratio),
  ],
  ["", "handler time per event", `${n(p.pipeline.handlerMsPerEvent, 1)} ms`, `${n(p.noop.handlerMsPerEvent, 1)} ms no-op handler`, ratio(p.pipeline.handlerMsPerEvent / p.noop.handlerMsPerEvent)],
  ["", "ratio of events per second, each pair", ratiosText(p.ratios), "pipeline / no-op, in the order measured", ""],
];

const replayMemoryRows = (r: ReplayMemoryResult): Row[] => {
  const held = (side: ReplayMemoryResult["swept"]) => side.heapUsedKb + side.arrayBuffersKb;
  return [
    [`Local replay memory, ${n(r.runs)} runs in ${n(r.waves)} TTL waves`, "state items at the end", n(r.swept.items), `${n(r.kept.items)} without sweeper`, ratio(r.itemRatio)],
    ["", "JS heap + buffers after GC", mb(held(r.swept)), `${mb(held(r.kept))} without sweeper`, ratio(r.memoryRatio)],
    ["", "peak RSS", mb(r.swept.maxRssKb), `${mb(r.kept.maxRssKb)} without sweeper`, ratio(r.swept.maxRssKb / r.kept.maxRssKb)],
  ];
};

const per = (value: number, of: number, digits = 2): string => (of === 0 ? "-" : n(value / of, digits));

const callsRows = ({ clean, duplicated, app, appDuplicated }: CallsResult): Row[] => {
  const extra = duplicated.messages - clean.messages;
  const both = (f: (r: ReplayCalls) => string): [string, string] => [f(clean), `${f(duplicated)} with 30% duplicates`];
  const scmPerTransition = (r: ReplayCalls) => per(r.scm.requests, r.transitions);
  return [
    [`Calls, ${n(clean.events)} watch events (${n(clean.transitions)} lifecycle transitions)`, "SCM requests per lifecycle transition, token (commit statuses)", ...both(scmPerTransition), ""],
    ["", "SCM requests per lifecycle transition, GitHub App (check runs)", scmPerTransition(app), `${scmPerTransition(appDuplicated)} with 30% duplicates`, ""],
    ["", "run-state writes per watch event", ...both((r) => per(r.state.writes, r.events)), ""],
    ["", "run-state writes per message that called receivers", ...both((r) => per(r.state.writes, r.callbackMessages)), ""],
    ["", "run-state reads per watch event", ...both((r) => per(r.state.reads, r.events)), ""],
    ["", "per duplicate delivery: writes / reads", `${per(duplicated.state.writes - clean.state.writes, extra)} / ${per(duplicated.state.reads - clean.state.reads, extra)}`, `${n(extra)} duplicates`, ""],
    ["", "write units per run-state write", ...both((r) => per(r.state.writeUnits, r.state.writes)), ""],
    ["", "receiver-store reads / writes per watch event", ...both((r) => `${per(r.receiverStore.reads, r.events)} / ${per(r.receiverStore.writes, r.events)}`), ""],
  ];
};

const coldRows = (rows: ColdStartRow[]): Row[] =>
  rows.flatMap((r) => [
    [`Cold start, ${r.name}`, "read at start, minified / gzipped (all chunks)", `${kb(r.minifiedBytes)} / ${kb(r.gzippedBytes)} (${kb(r.totalBytes)})`, "AWS SDK external", ""],
    ["", "fresh node + import (median)", `${n(r.bundle.processMs)} ms`, `${n(r.empty.processMs)} ms empty module`, ratio(r.processRatio)],
    ["", "import alone", `${n(r.bundle.importMs)} ms`, `${n(r.empty.importMs, 1)} ms empty module`, ratio(r.bundle.importMs / r.empty.importMs)],
  ] as Row[]);

const costRows = (estimates: CostEstimate[]): Row[] =>
  estimates.flatMap((c, i) => [
    [
      i === 0 ? "Cost per 1M watch events" : "",
      c.label,
      usd(c.perMillion.total),
      `SQS ${usd(c.perMillion.sqs)}, Lambda ${usd(c.perMillion.lambdaRequests + c.perMillion.lambdaDuration)}, DynamoDB ${usd(c.perMillion.dynamoWrites + c.perMillion.dynamoReads)}`,
      "",
    ] as Row,
    [
      "",
      `${c.label}: SQS + Lambda requests + DynamoDB`,
      usd(c.perMillion.requests),
      `${usd(c.perMillion.unwarmed)} with no warm instance; ${usd(c.perMillion.folded)} with marks folded into the next claim`,
      "",
    ] as Row,
  ]);

const priceRows = (estimates: CostEstimate[]): Row[] => [
  [`Prices used (${PRICES.region})`, "SQS FIFO requests", `${usd(PRICES.sqsFifoPerMillionRequests)} per million`, "", ""],
  ["", "Lambda arm64 duration", `$${PRICES.lambdaArmPerGbSecond} per GB-s`, `process at ${estimates[0]?.memoryMb ?? "?"} MB (serverless.yml)`, ""],
  ["", "Lambda requests", `${usd(PRICES.lambdaPerMillionRequests)} per million`, "", ""],
  ["", "DynamoDB on-demand writes", `$${PRICES.dynamoPerMillionWriteUnits} per million WRU`, "1 WRU per KB written", ""],
  ["", "DynamoDB on-demand reads", `$${PRICES.dynamoPerMillionReadUnits} per million RRU`, "strongly consistent: 1 RRU per 4 KB", ""],
];

export const renderTable = (results: BenchResults): string =>
  render([
    ...results.relay.flatMap(relayRows),
    ...processRows(results.process),
    ...replayMemoryRows(results.replayMemory),
    ...callsRows(results.calls),
    ...coldRows(results.coldStart),
    ...costRows(results.cost),
    ...priceRows(results.cost),
  ]);

/** The rows of calls per unit of work and the cost derived from them (`--only calls`). */
export const renderCallsTable = (calls: CallsResult, cost: CostEstimate[]): string => render([...callsRows(calls), ...costRows(cost)]);

/** The relay's rows alone (`npm run bench -- --only relay`). */
export const renderRelayTable = (relay: readonly RelayResult[]): string => render(relay.flatMap(relayRows));

const render = (rows: readonly Row[]): string => {
  const header: Row = ["Area", "Measure", "Value", "Reference", "Ratio"];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
  const line = (r: Row) => `| ${r.map((cell, i) => (i >= 2 && i !== 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i >= 2 && i !== 3 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
};
