import type { FeedbackConfig } from "../../shared/config";
import type { Log } from "../../shared/log";
import { createResyncHandler } from "../../shared/process/resync";
import { within } from "../../relay/backoff";
import { relaySettingsFromEnv } from "../../relay/settings";
import { runRelay } from "../../relay/run";
import { startLocalStack, type LocalStack } from "../local/stack";
import { ResyncSchedule } from "./resync-schedule";
import { checkStandaloneConfig, loadKube } from "./standalone";

export interface StandaloneOptions {
  config: FeedbackConfig;
  /** Where the state table persists; required: the state must outlive the process. */
  stateDir: string;
  /** Undefined: KUBECONFIG, ~/.kube/config, or the pod's service account. */
  kubeconfig?: string;
  resyncIntervalSeconds: number;
  log: Log;
  /** Ends the run like SIGTERM does (embedding, tests). */
  signal?: AbortSignal;
}

/** Lets the process side finish what the relay handed to the queue at shutdown, within `timeoutMs`. */
const drain = async (stack: LocalStack, timeoutMs: number, log: Log): Promise<void> => {
  // Not lost: the next start lists every watched object again, and the state table says what is left to tell.
  if (!(await within(stack.poller.drained(50), timeoutMs))) log.warn("stopped with events still queued; the next start lists them again", { timeoutMs });
};

/**
 * `kube-feedback run`: relay, process and resync in one process, for a
 * cluster without AWS. The queue is the local stack's embedded SQS
 * (loopback only, in memory) and the state table its DynamoDB emulator
 * persisted in `stateDir`. The relay runs as its image does (leader
 * election on a Lease, known objects in a ConfigMap, /healthz, /readyz and
 * /metrics) with the embedded queue as its sink; the process side consumes
 * the queue as Lambda would; the resync runs on its schedule while this
 * replica leads.
 *
 * A restart loses what the in-memory queue held, and nothing else: the
 * relay's first list sends every watched object again, the persisted state
 * table tells which callbacks were made (so they are not made again), and
 * the claims of calls in flight when the process died are reopened before
 * anything is read (local/orphaned-claims.ts), so each is made once more.
 */
export const runStandalone = async (options: StandaloneOptions): Promise<number> => {
  const { config, log } = options;
  checkStandaloneConfig(config);
  const kc = await loadKube(options.kubeconfig);
  const kube = async () => kc;
  const stack = await startLocalStack({ config, log, stateDir: options.stateDir, process: { kube } });
  let schedule: ResyncSchedule | undefined;
  try {
    // Said at start, not at the first event: the other receivers are served all the same.
    for (const { error } of await stack.startReceivers()) log.warn("receiver could not start; its callbacks are retried", { error: error.message });
    // The relay's own variables (lease, known objects, health port) apply; its sink is the embedded queue.
    const settings = relaySettingsFromEnv({ ...process.env, RELAY_SINK: "sqs", QUEUE_URL: stack.emulators.queueUrl });
    const resync = createResyncHandler({ config, kube });
    log.info("standalone: relay, process and resync in one process", {
      cluster: config.cluster,
      server: kc.getCurrentCluster()?.server,
      stateDir: stack.emulators.stateDir,
      resyncIntervalSeconds: options.resyncIntervalSeconds,
    });
    await runRelay(config, stack.emulators.queueUrl, log, {
      settings,
      kc,
      sink: stack.sink,
      ...(options.signal ? { signal: options.signal } : {}),
      onStart: (relay) => {
        schedule = new ResyncSchedule({ resync, intervalMs: options.resyncIntervalSeconds * 1000, leading: () => relay.isLeader, log });
        schedule.start();
      },
    });
    await drain(stack, settings.drainTimeoutMs, log);
    return 0;
  } finally {
    await schedule?.stop();
    await stack.stop();
  }
};
