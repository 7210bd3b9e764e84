/**
 * Process throughput: watch events shipped by the relay through fauxqs to
 * the real process handler (pipeline handler, DynamoDB state on dynalite, a
 * receiver that only counts lifecycle callbacks), next to the same path with a handler that
 * just closes its channel. The ratio is what the pipeline logic costs on
 * top of queueing, polling and dispatch.
 */
import { parseConfig, type FeedbackConfig } from "../shared/config";
import type { KubeObject } from "../shared/envelope";
import { SeededRandom } from "../test/helpers/chaos/random";
import { buildLifecycles, CI_NAMESPACE, interleave } from "../test/helpers/chaos/workload";
import { medianBy } from "./pairs";
import { CountingReceiver, noopHandler, processed, ship, startBenchStack } from "./stack";

export interface ProcessRun {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  invocations: number;
  handlerMsPerEvent: number;
}

export interface ProcessResult {
  runs: number;
  pipeline: ProcessRun & { callbacks: number };
  noop: ProcessRun;
  /** pipeline / no-op, events per second: the median of the pairs measured. */
  ratio: number;
  /** Every pair's ratio, in the order measured. */
  ratios: number[];
}

export const benchConfig = (receivers: FeedbackConfig["receivers"] = [{ name: "counter", type: "console", selector: { namespaces: [], kinds: [] }, options: {} }]): FeedbackConfig =>
  parseConfig({
    cluster: "bench",
    watch: [
      { group: "batch", version: "v1", resource: "jobs", namespaces: [CI_NAMESPACE] },
      { group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [CI_NAMESPACE] },
      { group: "tekton.dev", version: "v1", resource: "taskruns", namespaces: [CI_NAMESPACE] },
    ],
    receivers,
  });

/** Job and PipelineRun lifecycles (with TaskRuns), interleaved as a busy cluster shows them. */
export const replayObjects = (runs: number, seed: number): KubeObject[] => {
  const random = new SeededRandom(seed);
  return [...interleave(buildLifecycles(random, runs, { pipelineRuns: 0.5, commitStatuses: 0 }), random, 25)].map((s) => s.object);
};

const measure = async (objects: readonly KubeObject[], noop: boolean): Promise<ProcessRun & { callbacks: number }> => {
  const config = benchConfig();
  // Told of created, started and finished, as the calls replay's probe: a deployment's receivers seldom take every stage change.
  const counter = new CountingReceiver("counter", { progress: false });
  const stack = await startBenchStack({
    config,
    process: () => ({
      receivers: [{ receiver: counter, entry: config.receivers[0]! }],
      ...(noop ? { routes: [{ matches: () => true, handler: noopHandler, keepsObject: true }] } : {}),
    }),
  });
  try {
    // The first invocation builds the handler's dependencies (a cold start): warm up on other runs first.
    await ship(stack.relay, replayObjects(10, 99));
    await processed(stack);
    const before = { ...stack.clock };
    const started = performance.now();
    await ship(stack.relay, objects);
    await processed(stack);
    const seconds = (performance.now() - started) / 1000;
    const invocations = stack.clock.invocations - before.invocations;
    return {
      events: objects.length,
      seconds,
      eventsPerSecond: objects.length / seconds,
      invocations,
      handlerMsPerEvent: (stack.clock.handlerMs - before.handlerMs) / objects.length,
      callbacks: counter.calls,
    };
  } finally {
    await stack.stop();
  }
};

/** `pairs` measurements of each, alternating, every one on a stack of its own (pairs.ts). */
export const measureProcess = async (runs: number, pairs = 3): Promise<ProcessResult> => {
  const objects = replayObjects(runs, 1);
  const measured: Array<Omit<ProcessResult, "runs" | "ratios">> = [];
  for (let i = 0; i < pairs; i++) {
    const pipeline = await measure(objects, false);
    const { callbacks: _none, ...noop } = await measure(objects, true);
    measured.push({ pipeline, noop, ratio: pipeline.eventsPerSecond / noop.eventsPerSecond });
  }
  const ratios = measured.map((m) => m.ratio);
  return { runs, ...medianBy(measured, (m) => m.ratio), ratios };
};
