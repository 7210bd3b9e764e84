/**
 * Calls per unit of work: a replay of Job and PipelineRun lifecycles through
 * the local stack with the `scm` receiver posting to a fake GitHub, once as
 * recorded and once with 30% of the messages delivered twice, with a token
 * (commit statuses) and as a GitHub App (check runs, created once and
 * updated in place). SCM requests come from the fake's request log (the
 * App's installation token included), DynamoDB requests and request units
 * from SDK middleware on the client the store is built on.
 */
import { createReceivers } from "../shared/receivers";
import { DynamoStateStore, KeyPrefix } from "../shared/store";
import { SeededRandom } from "../test/helpers/chaos/random";
import { ChaosSink } from "../test/helpers/chaos/sink";
import { REPO } from "../test/helpers/chaos/workload";
import { appKeyPair, startFakeGitHub, type RecordedScmRequest } from "../test/helpers/fake-scm";
import { onHost } from "../test/helpers/run-host";
import { DynamoMeter, type DynamoTally } from "../test/helpers/dynamo-meter";
import { benchConfig, replayObjects } from "./process";
import { CountingReceiver, processed, ship, startBenchStack } from "./stack";

const TOKEN_VARIABLE = "KUBE_FEEDBACK_BENCH_GITHUB_TOKEN";
const TOKEN = "ghp_benchBenchBenchBenchBench0123456789";
const APP_KEY_VARIABLE = "KUBE_FEEDBACK_BENCH_GITHUB_APP_KEY";
const APP_ID = 4242;

/** How the `scm` receiver authenticates, which decides what it writes: commit statuses or check runs. */
export const Credentials = { Token: "token", App: "app" } as const;
export type Credentials = (typeof Credentials)[keyof typeof Credentials];

export interface ReplayCalls {
  duplicateRate: number;
  /** Watch events (object versions) replayed. */
  events: number;
  /** Messages handled: the events plus the duplicates. */
  messages: number;
  /** created / started / finished callbacks delivered (one receiver counts them). */
  transitions: number;
  /** `byRoute`: requests per method and path, ids as `{id}` (`PATCH /repos/o/r/check-runs/{id}`). */
  scm: { requests: number; writes: number; byRoute: Record<string, number> };
  state: DynamoTally;
  receiverStore: DynamoTally;
  /** Run-state updates that record deliveries: one per message that called receivers. */
  callbackMessages: number;
  invocations: number;
  sendRequests: number;
  handlerMs: number;
}

export interface CallsResult {
  runs: number;
  clean: ReplayCalls;
  duplicated: ReplayCalls;
  /** The clean replay with the receiver as a GitHub App (check runs). */
  app: ReplayCalls;
  appDuplicated: ReplayCalls;
}

/** The fake GitHub and the receiver's options for one kind of credentials. */
const gitHubFor = async (credentials: Credentials) => {
  const repo = `${REPO.owner}/${REPO.name}`;
  if (credentials === Credentials.Token) {
    process.env[TOKEN_VARIABLE] = TOKEN;
    const github = await startFakeGitHub({ repos: [repo], tokens: [TOKEN] });
    return { github, options: { provider: "github", baseUrl: github.apiUrl, token: `env:${TOKEN_VARIABLE}` } };
  }
  const { privateKey, publicKey } = appKeyPair();
  process.env[APP_KEY_VARIABLE] = privateKey;
  const github = await startFakeGitHub({ repos: [repo], app: { id: APP_ID, publicKey, installations: [{ id: 7, repos: [repo] }] } });
  return { github, options: { provider: "github", baseUrl: github.apiUrl, app: { appId: APP_ID, privateKey: `env:${APP_KEY_VARIABLE}` } } };
};

const countRoutes = (requests: readonly RecordedScmRequest[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const route = `${r.method} ${r.path.replace(/\/[0-9a-f]{40}\b/, "/{sha}").replace(/\/\d+(?=\/|$)/g, "/{id}")}`;
    counts[route] = (counts[route] ?? 0) + 1;
  }
  return counts;
};

export const replayCalls = async (runs: number, duplicateRate: number, credentials: Credentials = Credentials.Token): Promise<ReplayCalls> => {
  const { github, options } = await gitHubFor(credentials);
  const entries = [
    { name: "counter", type: "console", selector: { namespaces: [], kinds: [] }, options: {} },
    { name: "github", type: "scm", selector: { namespaces: [], kinds: [] }, options },
  ];
  const config = benchConfig(entries);
  // Counts the transitions without hearing progress: a probe whose own cost is nil, so the writes measured are the scm receiver's.
  const counter = new CountingReceiver("counter", { progress: false });
  const meter = new DynamoMeter();
  let sink: ChaosSink | undefined;
  const stack = await startBenchStack({
    config,
    process: (emulators) => ({
      store: new DynamoStateStore({ tableName: emulators.tableName, client: meter.client() }),
      receivers: createReceivers(config).map((r) => (r.entry.name === "counter" ? { ...r, receiver: counter } : r)),
    }),
    sink: (queueUrl) => (sink = new ChaosSink({ queueUrl, random: new SeededRandom(3), duplicateRate, reorderRate: 0 })),
  });
  try {
    // On the fake's host, the scm receiver's own (test/helpers/run-host.ts).
    const objects = replayObjects(runs, 2).map((object) => onHost(object, github.url));
    await ship(stack.relay, objects);
    await processed(stack);
    await stack.poller.drained(25);
    return {
      duplicateRate,
      events: objects.length,
      messages: stack.sent(),
      transitions: counter.lifecycleCalls,
      scm: { requests: github.requests.length, writes: github.writes.length, byRoute: countRoutes(github.requests) },
      state: meter.total(KeyPrefix.object),
      receiverStore: meter.total(KeyPrefix.receiver),
      callbackMessages: meter.stateUpdates,
      invocations: stack.clock.invocations,
      sendRequests: sink?.stats.requests ?? 0,
      handlerMs: stack.clock.handlerMs,
    };
  } finally {
    await stack.stop();
    sink?.destroy();
    await github.stop();
  }
};

export const measureCalls = async (runs: number): Promise<CallsResult> => ({
  runs,
  clean: await replayCalls(runs, 0),
  duplicated: await replayCalls(runs, 0.3),
  app: await replayCalls(runs, 0, Credentials.App),
  appDuplicated: await replayCalls(runs, 0.3, Credentials.App),
});
