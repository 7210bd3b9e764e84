/**
 * Child process of the known-object memory benchmark. BENCH_MODE=relay runs
 * the real Relay (watcher, known-object set, buffer into a sink that only
 * counts) over the PipelineRuns on the fake API server; BENCH_MODE=informer
 * runs client-node's makeInformer over the same objects, the reference: the
 * cache client-go-style code keeps to see deletions at all. Each reports the
 * JS heap it retains once synced: heap after GC while running, minus heap
 * after GC once stopped and dropped. Needs --expose-gc. Runs as an esbuild
 * bundle, like the shipped relay.
 */
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { Log } from "../../shared/log";
import { Relay } from "../../relay/relay";
import type { SendReport, Sink } from "../../relay/sinks";

const SILENT: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const TARGET = { group: "tekton.dev", version: "v1", plural: "pipelineruns", namespace: "ci" } as const;
const expected = Number(process.env.BENCH_OBJECTS);

const heapAfterGc = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
};

interface Running {
  entries: number;
  /** Extra figures of the running consumer, taken after the heap was measured. */
  extra(): Record<string, number>;
  stop(): Promise<void>;
}

const runRelay = async (kc: KubeConfig): Promise<Running> => {
  const sink: Sink = { name: "count", send: async (envelopes): Promise<SendReport> => ({ sent: envelopes.length, retry: [], rejected: [] }) };
  let relay: Relay | undefined = new Relay({
    cluster: "bench",
    watch: [{ group: TARGET.group, version: TARGET.version, resource: TARGET.plural, namespaces: [TARGET.namespace] }],
    sink,
    log: SILENT,
    buffer: { lingerMs: 1 },
  });
  await relay.start(kc);
  await relay.flush();
  return {
    entries: relay.known.size,
    extra: () => ({ snapshotBytes: relay!.known.encode(Number.POSITIVE_INFINITY).payload.length }),
    stop: async () => {
      relay!.abandon("benchmark over");
      relay = undefined;
    },
  };
};

const runInformer = async (kc: KubeConfig): Promise<Running> => {
  const api = kc.makeApiClient(CustomObjectsApi);
  const path = `/apis/${TARGET.group}/${TARGET.version}/namespaces/${TARGET.namespace}/${TARGET.plural}`;
  const list = () => api.listNamespacedCustomObject(TARGET) as Promise<KubernetesListObject<KubernetesObject>>;
  let informer: ReturnType<typeof makeInformer<KubernetesObject>> | undefined = makeInformer(kc, path, list);
  await informer.start();
  while (informer.list().length < expected) await new Promise((resolve) => setTimeout(resolve, 20));
  return {
    entries: informer.list().length,
    extra: () => ({}),
    stop: async () => {
      await informer!.stop();
      informer = undefined;
    },
  };
};

const kc = new KubeConfig();
kc.loadFromString(process.env.BENCH_KUBECONFIG ?? "");
// Warm up what both leave behind once stopped (client-node's models, HTTP agents), so the baseline holds it too.
await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...TARGET, limit: 1 });
const running = await (process.env.BENCH_MODE === "informer" ? runInformer(kc) : runRelay(kc));
const synced = heapAfterGc();
const extra = running.extra();
await running.stop();
await new Promise((resolve) => setTimeout(resolve, 100));
const stopped = heapAfterGc();
process.stdout.write(
  `${JSON.stringify({ entries: running.entries, retainedKb: Math.round((synced - stopped) / 1024), heapSyncedKb: Math.round(synced / 1024), maxRssKb: process.resourceUsage().maxRSS, ...extra })}\n`,
);
process.exit(0);
