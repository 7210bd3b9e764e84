/**
 * The chaos run: N lifecycles of Jobs, Tekton PipelineRuns (with TaskRuns)
 * and CommitStatus resources are written to the fake API server; the real
 * relay watches it and ships through a sink that duplicates and reorders;
 * the real process function runs behind the local poller against fauxqs and
 * dynalite, with a store that crashes between calls and their record, an
 * `scm` receiver against a fake GitHub that has 5xx and 429 storms, and
 * CommitStatus write-backs that meet 409 conflicts. Midway the watch history
 * expires under the relay (410 Gone) and later the relay is restarted.
 * `verify.ts` turns what happened into the report.
 */
import { startLocalStack, type LocalStack } from "../../../cli/local/stack";
import { parseConfig, type FeedbackConfig } from "../../../shared/config";
import type { Log } from "../../../shared/log";
import { createReceivers, type ConfiguredReceiver } from "../../../shared/receivers";
import { DynamoStateStore } from "../../../shared/store";
import { Relay } from "../../../relay/relay";
import { startFakeKubeApiServer, type FakeKubeApiServer } from "../fake-kube";
import { heldMessages } from "../fauxqs-inspect";
import { startFakeGitHub, type FakeGitHubServer } from "../fake-scm";
import { RecordingReceiver } from "../recording-receiver";
import { readDeadLetters, type DeadLetter } from "./dead-letters";
import { CallTally, CrashingStateStore, TallyingReceiver } from "./faults";
import { SeededRandom } from "./random";
import { ChaosSink } from "./sink";
import { APPS_NAMESPACE, buildLifecycles, CI_NAMESPACE, gitRepoObject, interleave, REPO, type Lifecycle, type WorkloadMix } from "./workload";

export interface ChaosOptions {
  lifecycles: number;
  seed: number;
  duplicateRate?: number;
  reorderRate?: number;
  crashRate?: number;
  mix?: WorkloadMix;
  /** Runs in flight at once in the cluster. */
  concurrency?: number;
  /** Requests failed per SCM storm; scales with the run by default. */
  stormSize?: number;
  /** Gives up waiting for the pipeline to settle after this long. */
  timeoutMs?: number;
  /** Progress lines (the CLI prints them; the test does not). */
  progress?: (line: string) => void;
}

/** Everything the run observed, for verify.ts. */
export interface ChaosObservation {
  options: Required<Omit<ChaosOptions, "progress">>;
  lifecycles: Lifecycle[];
  tally: CallTally;
  crashes: CrashingStateStore["crashes"];
  sink: ChaosSink["stats"];
  kube: FakeKubeApiServer;
  github: FakeGitHubServer;
  deadLetters: DeadLetter[];
  injected: { scm5xx: number; scm429: number; kube409: number; expired: number; relayRestarts: number };
  settled: boolean;
  elapsedMs: number;
  invocations: number;
}

const TOKEN_VARIABLE = "KUBE_FEEDBACK_CHAOS_GITHUB_TOKEN";
const TOKEN = "ghp_chaosChaosChaosChaosChaos0123456789";
const SILENT: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when `work` finished before the deadline; the timer does not outlive the race. */
const beforeDeadline = async (work: Promise<unknown>, deadline: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([work.then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
};

const configFor = (github: FakeGitHubServer): FeedbackConfig =>
  parseConfig({
    cluster: "chaos",
    watch: [
      { group: "batch", version: "v1", resource: "jobs", namespaces: [CI_NAMESPACE] },
      { group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [CI_NAMESPACE] },
      { group: "tekton.dev", version: "v1", resource: "taskruns", namespaces: [CI_NAMESPACE] },
      { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses", namespaces: [APPS_NAMESPACE] },
    ],
    receivers: [
      { name: "recorder", type: "console" },
      { name: "github", type: "scm", options: { provider: "github", baseUrl: github.apiUrl, token: `env:${TOKEN_VARIABLE}` } },
    ],
    // A one-second lease, so a crash between call and record is followed by the one repeat we promise.
    processing: { leaseSeconds: 1, maxRetries: 20, backoff: { baseSeconds: 1, capSeconds: 2 } },
  });

const withDefaults = (options: ChaosOptions): ChaosObservation["options"] => ({
  lifecycles: options.lifecycles,
  seed: options.seed,
  duplicateRate: options.duplicateRate ?? 0.3,
  reorderRate: options.reorderRate ?? 0.2,
  crashRate: options.crashRate ?? 0.05,
  mix: options.mix ?? { pipelineRuns: 0.5, commitStatuses: 0.2 },
  concurrency: options.concurrency ?? 25,
  stormSize: options.stormSize ?? Math.max(4, Math.round(options.lifecycles / 15)),
  timeoutMs: options.timeoutMs ?? 120_000 + options.lifecycles * 400,
});

export const runChaos = async (input: ChaosOptions): Promise<ChaosObservation> => {
  const options = withDefaults(input);
  const say = input.progress ?? (() => undefined);
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const random = new SeededRandom(options.seed);
  const lifecycles = buildLifecycles(random, options.lifecycles, options.mix);
  const steps = [...interleave(lifecycles, random, options.concurrency)];

  process.env[TOKEN_VARIABLE] = TOKEN;
  const kube = await startFakeKubeApiServer({ historyLimit: 50_000 });
  const github = await startFakeGitHub({ repos: [`${REPO.owner}/${REPO.name}`], tokens: [TOKEN] });
  const config = configFor(github);
  const kubeConfig = kube.kubeConfig();
  const tally = new CallTally();
  const store = new CrashingStateStore(() => new DynamoStateStore({ tableName: process.env.TABLE_NAME! }), new SeededRandom(options.seed + 1), options.crashRate);
  const receivers: ConfiguredReceiver[] = createReceivers(config).map(({ receiver, entry }) => ({
    entry,
    receiver: new TallyingReceiver(entry.name === "recorder" ? new RecordingReceiver("recorder") : receiver, tally),
  }));
  let stack: LocalStack | undefined;
  let relay: Relay | undefined;
  let sink: ChaosSink | undefined;
  try {
    stack = await startLocalStack({
      config,
      log: SILENT,
      maxReceiveCount: 30,
      visibilityTimeoutSeconds: 5,
      // One KubeConfig for the run, as a cold start builds one: a fresh one per call would parse YAML and open new connections every time.
      process: { store, receivers, kube: async () => kubeConfig, credentials: async () => TOKEN },
    });
    const activeSink = new ChaosSink({
      queueUrl: stack.emulators.queueUrl,
      random: new SeededRandom(options.seed + 2),
      duplicateRate: options.duplicateRate,
      reorderRate: options.reorderRate,
    });
    sink = activeSink;
    const newRelay = () =>
      new Relay({ cluster: config.cluster, watch: config.watch, sink: activeSink, log: SILENT, watcher: { baseDelayMs: 50, maxDelayMs: 500, relistJitterMs: 50 } });
    kube.apply(gitRepoObject(github.apiUrl));
    relay = newRelay();
    await relay.start(kube.kubeConfig());

    const injected = { scm5xx: 0, scm429: 0, kube409: 0, expired: 0, relayRestarts: 0 };
    const faults = new Map<number, () => Promise<void>>();
    const at = (fraction: number, fault: () => Promise<void> | void) => faults.set(Math.floor(steps.length * fraction), async () => fault());
    const storm = (kind: "5xx" | "429") => {
      if (kind === "5xx") {
        github.failNext({ status: 502, body: { message: "Server Error" }, times: options.stormSize });
        injected.scm5xx += options.stormSize;
      } else {
        github.rateLimitNext({ status: 429, retryAfterSeconds: 1, method: "POST", times: options.stormSize });
        injected.scm429 += options.stormSize;
      }
      say(`  SCM ${kind} storm (${options.stormSize} requests)`);
    };
    const conflicts = () => {
      const times = Math.max(2, Math.round(options.stormSize / 2));
      kube.failNext({ verb: "patch", plural: "commitstatuses", subresource: "status", code: 409, times });
      injected.kube409 += times;
      say(`  409 on the next ${times} CommitStatus status write-backs`);
    };
    at(0.15, () => storm("5xx"));
    at(0.3, conflicts);
    at(0.35, () => storm("429"));
    at(0.45, () => {
      kube.expireHistory();
      kube.breakWatches();
      injected.expired++;
      say("  watch history expired and streams broken (410 Gone on reconnect)");
    });
    at(0.55, () => storm("5xx"));
    at(0.6, async () => {
      await relay!.stop();
      say("  relay stopped");
    });
    at(0.66, async () => {
      relay = newRelay();
      await relay.start(kube.kubeConfig());
      injected.relayRestarts++;
      say("  relay started again (re-list)");
    });
    at(0.7, conflicts);
    at(0.8, () => storm("429"));

    say(`writing ${steps.length} object versions of ${lifecycles.length} lifecycles`);
    const processing = stack;
    for (const [index, step] of steps.entries()) {
      await faults.get(index)?.();
      write(kube, step.object);
      if (index % 10 === 9) {
        // Keep the queue's backlog bounded, so faults land mid-stream rather than after a burst.
        while ((activeSink.stats.messages - processing.poller.stats.records > 400 || relay.bufferDepth > 200) && Date.now() < deadline) await sleep(10);
        await sleep(1);
      }
      if (index % 1000 === 999) say(`  ${index + 1}/${steps.length} written; ${await describeProgress(activeSink, processing, relay, kube)}`);
    }
    const ticker = setInterval(() => void describeProgress(activeSink, processing, relay!, kube).then((line) => say(`  settling: ${line}`)), 10_000);
    const settled = await settle(kube, () => relay!, activeSink, processing, deadline).finally(() => clearInterval(ticker));
    say(settled ? "settled" : "did not settle before the deadline");
    const deadLetters = await readDeadLetters(processing.emulators.dlqUrl);
    return {
      options,
      lifecycles,
      tally,
      crashes: store.crashes,
      sink: activeSink.stats,
      kube,
      github,
      deadLetters,
      injected,
      settled,
      elapsedMs: Date.now() - started,
      invocations: processing.poller.stats.invocations,
    };
  } finally {
    await relay?.stop({ timeoutMs: 1_000 });
    await stack?.stop();
    sink?.destroy();
    await github.stop();
    await kube.stop();
  }
};

const describeProgress = async (sink: ChaosSink, stack: LocalStack, relay: Relay, kube: FakeKubeApiServer): Promise<string> => {
  const held = await heldMessages(stack.emulators.sqsEndpoint, stack.emulators.queueUrl).catch(() => undefined);
  const queue = held ? `${held.length} on the queue` : "queue unreadable";
  return (
    `${sink.stats.messages} messages sent, ${queue}, ${stack.poller.stats.records} received by ${stack.poller.stats.invocations} invocations, ` +
    `relay buffer ${relay.bufferDepth}, ${kube.openWatches} watches open, revision ${kube.resourceVersion} (relay at ${relay.watchers.map((w) => w.resourceVersion ?? "-").join("/")})` +
    (process.env.KF_DEBUG ? ` ${JSON.stringify(process.getActiveResourcesInfo().reduce<Record<string, number>>((a, r) => ((a[r] = (a[r] ?? 0) + 1), a), {}))}` : "")
  );
};

/** Writes one object version as its controller would: a CommitStatus keeps the status the sync wrote back. */
const write = (kube: FakeKubeApiServer, object: Lifecycle["steps"][number]): void => {
  if (object.kind !== "CommitStatus") {
    kube.apply(object);
    return;
  }
  const current = kube.get({ apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name });
  kube.apply({ ...object, ...(current?.status === undefined ? {} : { status: current.status }) });
};

/**
 * Waits until the relay has seen every write (bookmarks at the current
 * revision), shipped it, and the queue is empty; again while write-backs
 * keep producing events. False when the deadline came first.
 */
const settle = async (kube: FakeKubeApiServer, relay: () => Relay, sink: ChaosSink, stack: LocalStack, deadline: number): Promise<boolean> => {
  let sent = -1;
  while (Date.now() < deadline) {
    const revision = Number(kube.resourceVersion);
    while (relay().watchers.some((w) => Number(w.resourceVersion ?? 0) < revision) && Date.now() < deadline) {
      kube.sendBookmarks();
      await sleep(25);
    }
    await relay().flush();
    await sink.release();
    if (!(await beforeDeadline(stack.poller.drained(50), deadline))) return false;
    if (sink.stats.messages === sent && Number(kube.resourceVersion) === revision) return true;
    sent = sink.stats.messages;
  }
  return false;
};
