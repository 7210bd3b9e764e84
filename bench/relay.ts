/**
 * Relay throughput and memory: the same watch stream of Job events from the
 * fake API server, consumed once by the real relay (into a sink that only
 * counts) and once by a parse-only reader. Each consumer runs in its own
 * child process, bundled, so its peak RSS is its own. Rates are events per
 * CPU-second of the consumer: the fake server writing the stream shares the
 * machine and would otherwise cap both.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { startFakeKubeApiServer, type FakeKubeApiServer } from "../test/helpers/fake-kube";
import { SeededRandom } from "../test/helpers/chaos/random";
import { buildLifecycles, interleave } from "../test/helpers/chaos/workload";
import { bundle } from "./bundle";

export interface ConsumerFigures {
  events: number;
  wallMs: number;
  cpuMs: number;
  rssAtReadyKb: number;
  maxRssKb: number;
}

export interface RelayResult {
  objects: number;
  events: number;
  relay: ConsumerFigures & { eventsPerCpuSecond: number };
  parseOnly: ConsumerFigures & { eventsPerCpuSecond: number };
  /** relay / parse-only, events per CPU-second. */
  rateRatio: number;
  /** relay / parse-only, peak RSS. */
  rssRatio: number;
}

interface Child {
  ready: Promise<void>;
  result: Promise<ConsumerFigures>;
}

const start = (file: string, env: Record<string, string>, timeoutMs = 120_000): Child => {
  const child = spawn(process.execPath, [file], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const timer = setTimeout(() => child.kill(), timeoutMs);
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const result = new Promise<ConsumerFigures>((resolve, reject) => {
    let figures: ConsumerFigures | undefined;
    createInterface(child.stdout).on("line", (line) => {
      if (line === "ready") ready();
      else if (line.startsWith("{")) figures = JSON.parse(line) as ConsumerFigures;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (figures) resolve(figures);
      else reject(new Error(`benchmark child ${file} exited (${signal ?? code}) before reporting`));
    });
  });
  return { ready: readyPromise, result };
};

const rate = (figures: ConsumerFigures) => ({ ...figures, eventsPerCpuSecond: figures.events / (figures.cpuMs / 1000) });

export const buildConsumers = async () => ({
  relay: await bundle("bench/consumers/relay.ts", "relay-consumer.mjs"),
  parse: await bundle("bench/consumers/parse.ts", "parse-consumer.mjs"),
});

export const measureRelay = async (objects: number, consumers: { relay: string; parse: string }): Promise<RelayResult> => {
  const random = new SeededRandom(objects);
  const steps = [...interleave(buildLifecycles(random, objects, { pipelineRuns: 0, commitStatuses: 0 }), random, 50)];
  const events = steps.length;
  const kube: FakeKubeApiServer = await startFakeKubeApiServer({ historyLimit: events + 100 });
  // A watch from resourceVersion 0 would list instead of replaying: give the history a start elsewhere.
  kube.apply({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "elsewhere", namespace: "other" } });
  try {
    const common = { BENCH_EVENTS: String(events), BENCH_SERVER: kube.url, BENCH_TOKEN: "fake-kube-token" };
    const relay = start(consumers.relay, { ...common, BENCH_KUBECONFIG: kube.kubeconfigYaml() });
    await relay.ready;
    await kube.waitForWatches(1, 10_000);
    const from = kube.resourceVersion;
    // With the stream broken the writes are only remembered; the relay's reconnect then replays all of them at once.
    kube.breakWatches();
    for (const step of steps) kube.apply(step.object);
    const relayFigures = await relay.result;
    const parse = start(consumers.parse, { ...common, BENCH_FROM: from });
    const parseFigures = await parse.result;
    const relayRate = rate(relayFigures);
    const parseRate = rate(parseFigures);
    return {
      objects,
      events,
      relay: relayRate,
      parseOnly: parseRate,
      rateRatio: relayRate.eventsPerCpuSecond / parseRate.eventsPerCpuSecond,
      rssRatio: relayFigures.maxRssKb / parseFigures.maxRssKb,
    };
  } finally {
    await kube.stop();
  }
};
