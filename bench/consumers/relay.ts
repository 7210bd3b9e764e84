/**
 * Child process of the relay benchmark: the real Relay (Watcher, slimming,
 * envelopes, size fitting, buffer) watching Jobs on the fake API server and
 * shipping into a sink that only counts. It says "ready" once listed and
 * watching; the parent then writes the events, once per round. Prints one
 * JSON line of figures per round (Rounds) and exits after the last. Runs as
 * an esbuild bundle, like the shipped relay.
 */
import { KubeConfig } from "@kubernetes/client-node";
import type { EnvelopeType, KubeObject } from "../../shared/envelope";
import type { Log } from "../../shared/log";
import { Relay } from "../../relay/relay";
import type { SendReport, Sink } from "../../relay/sinks";
import { Rounds } from "./figures";

const rounds = new Rounds();
let rssAtReadyKb = 0;
const SILENT: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let sent = 0;
let finish: () => void = () => undefined;
const done = new Promise<void>((resolve) => (finish = resolve));

const sink: Sink = {
  name: "count",
  async send(envelopes): Promise<SendReport> {
    sent += envelopes.length;
    if (rounds.counted(sent, rssAtReadyKb)) finish();
    return { sent: envelopes.length, retry: [], rejected: [] };
  },
};

/** Flushes as soon as a round's last event is in, so its final partial batch does not wait out the linger. */
class CountingRelay extends Relay {
  offered = 0;
  override offer(type: EnvelopeType, object: KubeObject): boolean {
    const taken = super.offer(type, object);
    if (taken && rounds.endsRound(++this.offered)) void this.flush();
    return taken;
  }
}

const kc = new KubeConfig();
kc.loadFromString(process.env.BENCH_KUBECONFIG ?? "");
const relay = new CountingRelay({
  cluster: "bench",
  watch: [{ group: "batch", version: "v1", resource: "jobs", namespaces: ["ci"] }],
  sink,
  log: SILENT,
  watcher: { baseDelayMs: 10, maxDelayMs: 100 },
});
await relay.start(kc);
rssAtReadyKb = Math.round(process.memoryUsage().rss / 1024);
// Each round the parent breaks the stream and writes every event meanwhile; the next stream replays them in one go.
let connects = 0;
relay.watchers[0]!.on("CONNECT", () => {
  if (++connects > 1) rounds.begin();
});
process.stdout.write("ready\n");
await done;
relay.abandon("benchmark over");
process.exit(0);
