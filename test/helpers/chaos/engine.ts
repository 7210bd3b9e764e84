/**
 * The chaos run: N lifecycles of Jobs, Tekton PipelineRuns (with TaskRuns)
 * and CommitStatus resources are written to the fake API server; the real
 * relay watches it and ships through a sink that duplicates and reorders;
 * the real process function runs behind the local poller against fauxqs and
 * dynalite, with a store that crashes between calls and their record, an
 * `scm` receiver against a fake GitHub that has 5xx and 429 storms, and
 * CommitStatus write-backs that meet 409 conflicts. Midway the watch history
 * expires under the relay (410 Gone) and later the relay is restarted. With
 * `via: relay` the write-backs go through the relay (operations queue) and
 * the process side has no Kubernetes access.
 * `verify.ts` turns what happened into the report.
 */
import { SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLocalStack, type LocalStack } from "../../../cli/local/stack";
import { parseConfig, type FeedbackConfig } from "../../../shared/config";
import { createReceivers, type ConfiguredReceiver } from "../../../shared/receivers";
import { DynamoStateStore } from "../../../shared/store";
import { startFakeKubeApiServer, type FakeKubeApiServer } from "../fake-kube";
import { startFakeGitHub, type FakeGitHubServer } from "../fake-scm";
import { RecordingReceiver } from "../recording-receiver";
import { onHost } from "../run-host";
import { readDeadLetters, type DeadLetter } from "./dead-letters";
import { CallTally, CrashingStateStore, TallyingReceiver } from "./faults";
import { SeededRandom } from "./random";
import { ChaosRig, SILENT } from "./rig";
import { scheduleFaults, type InjectedFaults } from "./schedule";
import { settle, sleep } from "./settle";
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
  /**
   * How the CommitStatus sync reaches the cluster: `direct` (the process
   * side calls the fake API server) or `relay` (kubernetes.via: relay: the
   * relay applies the process side's operations; the process side has no
   * Kubernetes access at all).
   */
  via?: "direct" | "relay";
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
  injected: InjectedFaults;
  /** Names of the malformed messages put on the queue: the permanent faults the DLQ must hold, and nothing else. */
  poisoned: string[];
  /** The resources the relay watches (plural names). */
  watched: string[];
  settled: boolean;
  elapsedMs: number;
  invocations: number;
  /** Uses of the Kubernetes access given to the process side: zero under `via: relay`, where it has none. */
  processKubeCalls: number;
}

const TOKEN_VARIABLE = "KUBE_FEEDBACK_CHAOS_GITHUB_TOKEN";
const TOKEN = "ghp_chaosChaosChaosChaosChaos0123456789";

const configFor = (github: FakeGitHubServer, via: ChaosObservation["options"]["via"]): FeedbackConfig =>
  parseConfig({
    cluster: "chaos",
    watch: [
      { group: "batch", version: "v1", resource: "jobs", namespaces: [CI_NAMESPACE] },
      { group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [CI_NAMESPACE] },
      { group: "tekton.dev", version: "v1", resource: "taskruns", namespaces: [CI_NAMESPACE] },
      { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses", namespaces: [APPS_NAMESPACE] },
      // Through the relay the process side reads GitRepos from the relay's events.
      ...(via === "relay" ? [{ group: "commit-status.argoproj.io", version: "v1alpha1", resource: "gitrepos", namespaces: [APPS_NAMESPACE] }] : []),
    ],
    ...(via === "relay" ? { kubernetes: { via: "relay" as const } } : {}),
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
  via: options.via ?? "direct",
});

/**
 * The operations queue's visibility timeout brought down to the event queue's
 * (`visibilityTimeoutSeconds` below): the relay stopped midway may have
 * received an operation it never settles (a long poll cut short by the stop),
 * and with serverless.yml's 30 s the run would sit idle that long before the
 * restarted relay sees it again. It still comes back only through the timeout.
 */
const OPERATIONS_VISIBILITY_SECONDS = "5";
const shortenOperationsVisibility = async (stack: LocalStack): Promise<void> => {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  try {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: stack.emulators.operationsQueueUrl, Attributes: { VisibilityTimeout: OPERATIONS_VISIBILITY_SECONDS } }));
  } finally {
    sqs.destroy();
  }
};

export const runChaos = async (input: ChaosOptions): Promise<ChaosObservation> => {
  const options = withDefaults(input);
  const say = input.progress ?? (() => undefined);
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const random = new SeededRandom(options.seed);
  const lifecycles = buildLifecycles(random, options.lifecycles, options.mix);
  const steps = [...interleave(lifecycles, random, options.concurrency)];

  process.env[TOKEN_VARIABLE] = TOKEN;
  // History enough for a paused watch to resume from its cursor; the one 410 the run wants is injected.
  const kube = await startFakeKubeApiServer({ historyLimit: Math.max(50_000, steps.length * 3) });
  const github = await startFakeGitHub({ repos: [`${REPO.owner}/${REPO.name}`], tokens: [TOKEN] });
  const config = configFor(github, options.via);
  // One KubeConfig for the run, as a cold start builds one: a fresh one per call would parse YAML and open new connections every time.
  const kubeConfig = kube.kubeConfig();
  const tally = new CallTally();
  const store = new CrashingStateStore(() => new DynamoStateStore({ tableName: process.env.TABLE_NAME! }), new SeededRandom(options.seed + 1), options.crashRate, () => tally.calls.length);
  const receivers: ConfiguredReceiver[] = createReceivers(config).map(({ receiver, entry }) => ({
    entry,
    receiver: new TallyingReceiver(entry.name === "recorder" ? new RecordingReceiver("recorder") : receiver, tally),
  }));
  let processKubeCalls = 0;
  // Under via: relay the process side must never reach the cluster: its access only counts and fails.
  const processKube =
    options.via === "relay"
      ? async () => {
          processKubeCalls++;
          throw new Error("via: relay: the process side has no Kubernetes access");
        }
      : async () => kubeConfig;
  let stack: LocalStack | undefined;
  let rig: ChaosRig | undefined;
  try {
    stack = await startLocalStack({
      config,
      log: SILENT,
      maxReceiveCount: 30,
      visibilityTimeoutSeconds: 5,
      process: { store, receivers, kube: processKube, credentials: async () => TOKEN, writeBack: { answerWaitMs: 5_000 } },
    });
    if (options.via === "relay") await shortenOperationsVisibility(stack);
    const sink = new ChaosSink({ queueUrl: stack.emulators.queueUrl, random: new SeededRandom(options.seed + 2), duplicateRate: options.duplicateRate, reorderRate: options.reorderRate });
    const running = new ChaosRig(kube, github, stack, sink, config);
    rig = running;
    kube.apply(gitRepoObject(github.apiUrl));
    await running.relay.start(kube.kubeConfig());
    const faults = scheduleFaults(running, steps.length, options.stormSize, say);

    say(`writing ${steps.length} object versions of ${lifecycles.length} lifecycles`);
    for (const [index, step] of steps.entries()) {
      await faults.at.get(index)?.();
      // On the fake's host, the scm receiver's own (test/helpers/run-host.ts).
      running.write(onHost(step.object, github.url));
      if (index % 10 === 9) {
        // Keep the backlog bounded, so faults land mid-stream rather than after one burst.
        while ((running.relay.bufferDepth > 200 || (await running.queueDepth()) > 400) && Date.now() < deadline) await sleep(20);
        await sleep(1);
      }
      if (index % 1000 === 999) say(`  ${index + 1}/${steps.length} written; ${await running.progress()}`);
    }
    const ticker = setInterval(() => void running.progress().then((line) => say(`  settling: ${line}`)), 10_000);
    const settled = await settle(running, deadline).finally(() => clearInterval(ticker));
    say(settled ? "settled" : "did not settle before the deadline");
    return {
      options,
      lifecycles,
      tally,
      crashes: store.crashes,
      sink: sink.stats,
      kube,
      github,
      deadLetters: await readDeadLetters(stack.emulators.dlqUrl),
      injected: faults.injected,
      poisoned: faults.poisoned,
      watched: config.watch.map((w) => w.resource),
      settled,
      elapsedMs: Date.now() - started,
      invocations: stack.poller.stats.invocations,
      processKubeCalls,
    };
  } finally {
    await rig?.stop();
    await stack?.stop();
    rig?.sink.destroy();
    await github.stop();
    await kube.stop();
  }
};
