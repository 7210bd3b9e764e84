/**
 * The relay benchmark's informer references (informer.ts, forwarding.ts):
 * what a Kubernetes controller in TypeScript would write, a `makeInformer`
 * from @kubernetes/client-node on the same Job watch, with add and update
 * handlers that do what the reference asks and count. Each runs as an
 * esbuild bundle of its own, like the relay.
 *
 * The method matches the relay consumer's step for step, on a fake API
 * server of its own holding the same history:
 * - an informer lists before it watches. The list is real and, as for the
 *   relay, empty: the parent writes the events only once this child says
 *   "ready" (listed and watching);
 * - each round, the parent then breaks the stream and writes every event.
 *   client-node's ListWatch reports a broken stream as ERROR and stops; the
 *   handler restarts it, as client-node's README does, and since it has a
 *   resourceVersion it watches again from there without listing, so the
 *   next stream replays all of them at once, as the relay's reconnect does;
 * - CPU and wall time count from that CONNECT, the replay's start, and stop
 *   at the round's last add or update: the same ADDED and MODIFIED events
 *   the relay ships and the parse-only reader counts.
 *
 * Prints one JSON line of figures (bench/relay.ts ConsumerFigures) per
 * round and exits after the last.
 */
import { ADD, BatchV1Api, CONNECT, ERROR, KubeConfig, makeInformer, UPDATE, type V1Job } from "@kubernetes/client-node";
import { Rounds } from "./figures";

const NAMESPACE = "ci";

/** What the reference does with each add or update, before it is counted. */
export type JobHandler = (type: "ADDED" | "MODIFIED", job: V1Job) => void;

/** Lists and watches the benchmark's Jobs, hands each add and update to `handle`, and says "ready" once watching. */
export const runJobInformer = async (handle: JobHandler): Promise<void> => {
  const rounds = new Rounds();
  const kc = new KubeConfig();
  kc.loadFromString(process.env.BENCH_KUBECONFIG ?? "");
  const api = kc.makeApiClient(BatchV1Api);
  const informer = makeInformer<V1Job>(kc, `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`, () => api.listNamespacedJob({ namespace: NAMESPACE }));

  let count = 0;
  let connects = 0;
  let rssAtReadyKb = 0;
  const counted = (type: "ADDED" | "MODIFIED") => (job: V1Job): void => {
    handle(type, job);
    if (rounds.counted(++count, rssAtReadyKb)) process.exit(0);
  };
  informer.on(ADD, counted("ADDED"));
  informer.on(UPDATE, counted("MODIFIED"));
  informer.on(CONNECT, () => {
    if (++connects > 1) rounds.begin();
  });
  // A broken stream stops a ListWatch; it is restarted from its resourceVersion, as the relay's watcher reconnects.
  informer.on(ERROR, () => void setTimeout(() => void informer.start(), 10));

  await informer.start();
  rssAtReadyKb = Math.round(process.memoryUsage().rss / 1024);
  process.stdout.write("ready\n");
};
