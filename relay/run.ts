import { CoordinationV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { FeedbackConfig } from "../shared/config";
import type { Log } from "../shared/log";
import type { OperationSource } from "../shared/operations";
import { ElectedRelay } from "./elected";
import { HealthServer } from "./health";
import { ConfigMapKnownStore } from "./known/store";
import { LeaderElector } from "./leader/elector";
import { LeaseLock } from "./leader/lease";
import { RelayMetrics } from "./metrics";
import { relaySettingsFromEnv, type RelaySettings } from "./settings";
import { createSink, type Sink } from "./sinks";
import { createOperationSource } from "./writeback";

export interface RunRelayOptions {
  /** Defaults to the process environment. */
  settings?: RelaySettings;
  kc?: KubeConfig;
  /** Replaces the sink the settings name (embedding, tests). */
  sink?: Sink;
  /** Replaces where the operations of `kubernetes.via: relay` come from (embedding, tests). */
  operations?: OperationSource;
  /** Ends the run like SIGTERM does; SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
  /** Called once the relay has started (standing by or leading): embedding code reads its leadership there. */
  onStart?: (relay: ElectedRelay) => void;
}

const untilStopped = (signal: AbortSignal | undefined): Promise<string> =>
  new Promise((resolve) => {
    const onInt = () => finish("SIGINT");
    const onTerm = () => finish("SIGTERM");
    const onAbort = () => finish("abort");
    const finish = (reason: string): void => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      signal?.removeEventListener("abort", onAbort);
      resolve(reason);
    };
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
    if (signal?.aborted) return finish("abort");
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * The relay image's program: health and metrics server, leader election on
 * a Lease in the relay's namespace, and the relay itself while this replica
 * leads, which keeps the runs it would report deleted in a ConfigMap beside
 * the Lease (known/store.ts). Runs until SIGINT or SIGTERM, then stops
 * watching, drains the buffer (bounded by RELAY_DRAIN_TIMEOUT_SECONDS),
 * saves the known runs, releases the lease, hands back the operations its
 * last receive brought (within the same bound) and returns. `queueUrl` is
 * the fallback for QUEUE_URL (the CLI passes it).
 */
export const runRelay = async (config: FeedbackConfig, queueUrl: string | undefined, log: Log, options: RunRelayOptions = {}): Promise<void> => {
  const settings = options.settings ?? relaySettingsFromEnv({ ...process.env, QUEUE_URL: process.env.QUEUE_URL || queueUrl });
  const kc = options.kc ?? new KubeConfig();
  if (!options.kc) kc.loadFromDefault();
  const metrics = new RelayMetrics({ processMetrics: true });
  const sink = options.sink ?? createSink(settings.sink);
  // kubernetes.via: relay: the leader also applies this cluster's operations.
  const operations = options.operations ?? createOperationSource(config, settings);
  const election = settings.leaderElection;
  const ownNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  const namespace = election?.namespace ?? ownNamespace;
  const known = settings.known;
  const knownStore = known ? new ConfigMapKnownStore(kc.makeApiClient(CoreV1Api), known.namespace ?? ownNamespace, known.configMap) : undefined;
  const elector = election
    ? new LeaderElector({
        lock: new LeaseLock(kc.makeApiClient(CoordinationV1Api), namespace, election.leaseName),
        identity: election.identity,
        leaseDurationSeconds: election.leaseDurationSeconds,
        renewSeconds: election.renewSeconds,
        retrySeconds: election.retrySeconds,
      })
    : undefined;
  const relay = new ElectedRelay({
    relay: {
      cluster: config.cluster,
      watch: config.watch,
      sink,
      buffer: settings.buffer,
      knownStore,
      knownSaveIntervalMs: known?.saveIntervalMs,
      ...(operations ? { writeBack: { source: operations } } : {}),
    },
    kc,
    elector,
    metrics,
    log,
    drainTimeoutMs: settings.drainTimeoutMs,
  });
  const health = new HealthServer({ port: settings.healthPort, status: () => relay.status(), metrics });
  const port = await health.start();
  log.info("relay starting", {
    cluster: config.cluster,
    sink: sink.name,
    resources: config.watch.map((w) => w.resource),
    lease: election ? `${namespace}/${election.leaseName}` : "off",
    knownObjects: knownStore?.description ?? "in memory",
    operations: operations?.name ?? "off",
    healthPort: port,
  });
  relay.start();
  options.onStart?.(relay);
  const reason = await untilStopped(options.signal);
  log.info("relay stopping", { reason });
  await relay.stop();
  await health.stop();
  log.info("relay stopped");
};
