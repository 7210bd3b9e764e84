/**
 * Relay throughput and memory: the same watch stream of Job events from the
 * fake API server, consumed by the real relay (into a sink that only
 * counts), by a parse-only reader, by client-node's makeInformer with
 * handlers that only count (consumers/job-informer.ts says how its list and
 * restart are made to replay the same events), and by the same informer
 * slimming and serialising each object as the relay does (forwarding.ts).
 * Each consumer runs in its own child process, bundled, so its peak RSS is
 * its own. Rates are events per CPU-second of the consumer, from the
 * replay's start: the fake server writing the stream shares the machine and
 * would otherwise cap them all.
 * Each consumer gets the events twice: the first replay after its start
 * (V8 still compiling, the figures this table always had) and a second one,
 * the steady state a long-running relay or controller spends its life in.
 * Relay and informer are measured in pairs, the forwarding informer with
 * each, under the same drift of a shared machine: informer, relay,
 * forwarding informer, and the reverse in the next pair, so the relay runs
 * next to each reference and neither always before it. Each comparison
 * shows the pair with its own median ratio and keeps every ratio.
 *
 * Then, for as many unfinished PipelineRuns, the heap the relay keeps to
 * report runs deleted while it was not watching (relay/known), beside what
 * client-node's makeInformer keeps for the same purpose: its object cache.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeKubeApiServer, type FakeKubeApiServer } from "../test/helpers/fake-kube";
import { SeededRandom } from "../test/helpers/chaos/random";
import { buildLifecycles, interleave } from "../test/helpers/chaos/workload";
import { bundle, ROOT } from "./bundle";
import { start } from "./children";
import { medianBy } from "./pairs";
import { pacPipelineRun } from "./pac-runs";

export interface ConsumerFigures {
  events: number;
  wallMs: number;
  cpuMs: number;
  rssAtReadyKb: number;
  maxRssKb: number;
}

export interface KnownMemoryFigures {
  /** Objects remembered (relay) or cached (informer). */
  entries: number;
  /** JS heap retained once synced: after GC while running, minus after GC once stopped. */
  retainedKb: number;
  heapSyncedKb: number;
  maxRssKb: number;
  /** The relay's persisted snapshot (gzip), before the ConfigMap's limit is applied. */
  snapshotBytes?: number;
}

export interface KnownMemoryResult {
  objects: number;
  relay: KnownMemoryFigures;
  informer: KnownMemoryFigures;
  /** relay / informer, retained heap. */
  ratio: number;
}

type Rated = ConsumerFigures & { eventsPerCpuSecond: number };

/** One replay of the events into each consumer, and the ratios between them. */
export interface StreamFigures {
  relay: Rated;
  parseOnly: Rated;
  /** client-node's makeInformer on the same events, handlers that only count. */
  informer: Rated;
  /** relay / parse-only, events per CPU-second. */
  rateRatio: number;
  /** relay / parse-only, peak RSS. */
  rssRatio: number;
  /** relay / informer, events per CPU-second. */
  informerRateRatio: number;
  /** relay / informer, peak RSS. */
  informerRssRatio: number;
}

/** One replay into the relay and into the informer whose handlers slim and serialise each object in its envelope, as the relay does. */
export interface ForwardingFigures {
  relay: Rated;
  forwarding: Rated;
  /** relay / forwarding informer, events per CPU-second. */
  rateRatio: number;
  /** relay / forwarding informer, peak RSS. */
  rssRatio: number;
}

/** The relay beside the forwarding informer: the pair with the median ratio of its own, for each replay, and every pair's ratio. */
export interface ForwardingResult {
  first: ForwardingFigures;
  warm: ForwardingFigures;
  rateRatios: { first: number[]; warm: number[] };
}

/** The first replay after start at the top level (the keys this result always had), the second under `warm`. */
export interface RelayResult extends StreamFigures {
  objects: number;
  events: number;
  /** The second replay into the same processes: their steady state. The median pair of its own. */
  warm: StreamFigures;
  /** Relay / informer, events per CPU-second, of every pair measured: first replays, then second ones. */
  informerRateRatios: { first: number[]; warm: number[] };
  /** Beside the informer that slims and serialises as the relay does (consumers/forwarding.ts). */
  forwarding: ForwardingResult;
  /** Memory to report deletions during a watch gap, for as many unfinished PipelineRuns. */
  known: KnownMemoryResult;
}

export const buildConsumers = async () => ({
  relay: await bundle("bench/consumers/relay.ts", "relay-consumer.mjs"),
  parse: await bundle("bench/consumers/parse.ts", "parse-consumer.mjs"),
  informer: await bundle("bench/consumers/informer.ts", "informer-consumer.mjs"),
  forwarding: await bundle("bench/consumers/forwarding.ts", "forwarding-consumer.mjs"),
  known: await bundle("bench/consumers/known-memory.ts", "known-memory-consumer.mjs"),
});

type Consumers = Awaited<ReturnType<typeof buildConsumers>>;

/** Runs the relay and the informer, one after the other, over `objects` unfinished PipelineRuns. */
export const measureKnownMemory = async (objects: number, consumer: string): Promise<KnownMemoryResult> => {
  const random = new SeededRandom(objects + 1);
  const kube = await startFakeKubeApiServer({ historyLimit: 10 });
  try {
    for (let i = 0; i < objects; i++) kube.apply(pacPipelineRun(random, i));
    const env = { BENCH_OBJECTS: String(objects), BENCH_KUBECONFIG: kube.kubeconfigYaml() };
    const run = async (mode: string) => (await start<KnownMemoryFigures>(consumer, { ...env, BENCH_MODE: mode }, 300_000, ["--expose-gc"]).result)[0]!;
    const relay = await run("relay");
    const informer = await run("informer");
    return { objects, relay, informer, ratio: relay.retainedKb / informer.retainedKb };
  } finally {
    await kube.stop();
  }
};

const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;

/** The known-object memory of each run, as lines under the benchmark table. */
export const renderKnownMemory = (results: readonly RelayResult[]): string =>
  results
    .map(({ known: k }) =>
      [
        `Known objects for deletions during a watch gap, ${k.objects} unfinished PipelineRuns:`,
        `  relay (uid → tombstone): ${mb(k.relay.retainedKb)} heap (${Math.round((k.relay.retainedKb * 1024) / Math.max(1, k.relay.entries))} bytes a run), snapshot ${mb((k.relay.snapshotBytes ?? 0) / 1024)} gzip`,
        `  makeInformer cache:      ${mb(k.informer.retainedKb)} heap; relay / informer ${k.ratio.toFixed(3)}×`,
      ].join("\n"),
    )
    .join("\n");

/**
 * The node options the relay image runs with (its Dockerfile's
 * `NODE_OPTIONS`), so that the relay is measured as it is shipped; the
 * references run with Node's defaults, as an application of their own would.
 */
export const shippedRelayNodeOptions = (): string[] => {
  const dockerfile = readFileSync(join(ROOT, "infra", "relay", "Dockerfile"), "utf8");
  const value = /NODE_OPTIONS=(?:"([^"]*)"|(\S+))/.exec(dockerfile);
  if (!value) throw new Error("infra/relay/Dockerfile sets no NODE_OPTIONS");
  return (value[1] ?? value[2] ?? "").split(/\s+/).filter(Boolean);
};

/** Each consumer gets the events this many times: the first replay after start, then the warm one. */
const ROUNDS = 2;

/**
 * Replays `steps` into the consumer `file` on a fake API server of its own,
 * ROUNDS times: the consumer lists (nothing) and watches; each round the
 * parent breaks the stream and writes every event meanwhile (the same
 * objects again after the first), and the consumer's reconnect replays all
 * of them in one go. The next round starts once the consumer reported the
 * last. `after` runs on the same server once the consumer reported.
 */
const replayInto = async <T = undefined>(
  file: string,
  steps: ReadonlyArray<{ object: Parameters<FakeKubeApiServer["apply"]>[0] }>,
  after?: (kube: FakeKubeApiServer, from: string) => Promise<T>,
  nodeArgs: string[] = [],
): Promise<{ figures: ConsumerFigures[]; after: T | undefined }> => {
  const kube = await startFakeKubeApiServer({ historyLimit: steps.length * ROUNDS + 100 });
  // A watch from resourceVersion 0 would list instead of replaying: give the history a start elsewhere.
  kube.apply({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "elsewhere", namespace: "other" } });
  try {
    const env = { BENCH_EVENTS: String(steps.length), BENCH_ROUNDS: String(ROUNDS), BENCH_KUBECONFIG: kube.kubeconfigYaml() };
    const child = start<ConsumerFigures>(file, env, 300_000, nodeArgs);
    await child.ready;
    await kube.waitForWatches(1, 10_000);
    const from = kube.resourceVersion;
    const figures: ConsumerFigures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // With the stream broken the writes are only remembered; the consumer's reconnect then replays all of them at once.
      kube.breakWatches();
      for (const step of steps) kube.apply(step.object);
      figures.push(await child.next());
    }
    await child.result;
    return { figures, after: after ? await after(kube, from) : undefined };
  } finally {
    await kube.stop();
  }
};

const rate = (figures: ConsumerFigures): Rated => ({ ...figures, eventsPerCpuSecond: figures.events / (figures.cpuMs / 1000) });

const compare = (relay: ConsumerFigures, parseOnly: ConsumerFigures, informer: ConsumerFigures): StreamFigures => {
  const [r, p, i] = [rate(relay), rate(parseOnly), rate(informer)];
  return {
    relay: r,
    parseOnly: p,
    informer: i,
    rateRatio: r.eventsPerCpuSecond / p.eventsPerCpuSecond,
    rssRatio: r.maxRssKb / p.maxRssKb,
    informerRateRatio: r.eventsPerCpuSecond / i.eventsPerCpuSecond,
    informerRssRatio: r.maxRssKb / i.maxRssKb,
  };
};

const compareForwarding = (relay: ConsumerFigures, forwarding: ConsumerFigures): ForwardingFigures => {
  const [r, f] = [rate(relay), rate(forwarding)];
  return { relay: r, forwarding: f, rateRatio: r.eventsPerCpuSecond / f.eventsPerCpuSecond, rssRatio: r.maxRssKb / f.maxRssKb };
};

const medianOf = (measured: StreamFigures[]): StreamFigures => medianBy(measured, (m) => m.informerRateRatio);

/**
 * The relay, the parse-only reader and both informers over the same events
 * of `objects` Jobs, in `pairs` measurements of relay and informer (the
 * forwarding informer measured with each), each replaying the events twice.
 */
export const measureStreams = async (objects: number, consumers: Consumers, pairs = 1): Promise<Omit<RelayResult, "known">> => {
  const random = new SeededRandom(objects);
  const steps = [...interleave(buildLifecycles(random, objects, { pipelineRuns: 0, commitStatuses: 0 }), random, 50)];
  const events = steps.length;
  // A replay first whose figures are dropped: the fake API server runs in this
  // process, and a server still cold sends the replay slower, in smaller reads,
  // to whichever consumer is measured first. Warmed, it feeds each the same way.
  await replayInto(consumers.informer, steps);
  const first: StreamFigures[] = [];
  const warm: StreamFigures[] = [];
  const forwarding: { first: ForwardingFigures[]; warm: ForwardingFigures[] } = { first: [], warm: [] };
  const measureRelay = () =>
    replayInto(
      consumers.relay,
      steps,
      async (kube, from) => (await start<ConsumerFigures>(consumers.parse, { BENCH_EVENTS: String(events), BENCH_ROUNDS: String(ROUNDS), BENCH_SERVER: kube.url, BENCH_TOKEN: "fake-kube-token", BENCH_FROM: from }).result),
      shippedRelayNodeOptions(),
    );
  for (let pair = 0; pair < pairs; pair++) {
    // Informer, relay, forwarding informer; the reverse in odd pairs: the relay runs next to each, and neither always before it.
    const order = [() => replayInto(consumers.informer, steps), () => measureRelay(), () => replayInto(consumers.forwarding, steps)];
    if (pair % 2 === 1) order.reverse();
    const measured: Array<Awaited<ReturnType<typeof measureRelay>>> = [];
    for (const measure of order) measured.push(await measure());
    const [informer, relay, forwarder] = pair % 2 === 1 ? measured.reverse() : measured;
    const parsed = relay!.after!;
    for (const [round, key] of [[0, "first"], [ROUNDS - 1, "warm"]] as const) {
      (key === "first" ? first : warm).push(compare(relay!.figures[round]!, parsed[round]!, informer!.figures[round]!));
      forwarding[key].push(compareForwarding(relay!.figures[round]!, forwarder!.figures[round]!));
    }
  }
  const byForwardingRatio = (measured: ForwardingFigures[]) => medianBy(measured, (m) => m.rateRatio);
  return {
    objects,
    events,
    ...medianOf(first),
    warm: medianOf(warm),
    informerRateRatios: { first: first.map((m) => m.informerRateRatio), warm: warm.map((m) => m.informerRateRatio) },
    forwarding: {
      first: byForwardingRatio(forwarding.first),
      warm: byForwardingRatio(forwarding.warm),
      rateRatios: { first: forwarding.first.map((m) => m.rateRatio), warm: forwarding.warm.map((m) => m.rateRatio) },
    },
  };
};

export const measureRelay = async (objects: number, consumers: Consumers, pairs = 1): Promise<RelayResult> => ({
  ...(await measureStreams(objects, consumers, pairs)),
  known: await measureKnownMemory(objects, consumers.known),
});
