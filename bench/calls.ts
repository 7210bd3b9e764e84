/**
 * Calls per unit of work: a replay of Job and PipelineRun lifecycles through
 * the local stack with the `scm` receiver posting to a fake GitHub, once as
 * recorded and once with 30% of the messages delivered twice. SCM requests
 * come from the fake's request log, DynamoDB requests and request units from
 * SDK middleware on the client the store is built on.
 */
import { createReceivers } from "../shared/receivers";
import { DynamoStateStore, KeyPrefix } from "../shared/store";
import { SeededRandom } from "../test/helpers/chaos/random";
import { ChaosSink } from "../test/helpers/chaos/sink";
import { REPO } from "../test/helpers/chaos/workload";
import { startFakeGitHub } from "../test/helpers/fake-scm";
import { onHost } from "../test/helpers/run-host";
import { DynamoMeter, type DynamoTally } from "./dynamo-meter";
import { benchConfig, replayObjects } from "./process";
import { CountingReceiver, processed, ship, startBenchStack } from "./stack";

const TOKEN_VARIABLE = "KUBE_FEEDBACK_BENCH_GITHUB_TOKEN";
const TOKEN = "ghp_benchBenchBenchBenchBench0123456789";

export interface ReplayCalls {
  duplicateRate: number;
  /** Watch events (object versions) replayed. */
  events: number;
  /** Messages handled: the events plus the duplicates. */
  messages: number;
  /** created / started / finished callbacks delivered (one receiver counts them). */
  transitions: number;
  scm: { requests: number; writes: number };
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
}

const replay = async (runs: number, duplicateRate: number): Promise<ReplayCalls> => {
  const github = await startFakeGitHub({ repos: [`${REPO.owner}/${REPO.name}`], tokens: [TOKEN] });
  process.env[TOKEN_VARIABLE] = TOKEN;
  const entries = [
    { name: "counter", type: "console", selector: { namespaces: [], kinds: [] }, options: {} },
    { name: "github", type: "scm", selector: { namespaces: [], kinds: [] }, options: { provider: "github", baseUrl: github.apiUrl, token: `env:${TOKEN_VARIABLE}` } },
  ];
  const config = benchConfig(entries);
  const counter = new CountingReceiver("counter");
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
      scm: { requests: github.requests.length, writes: github.writes.length },
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
  clean: await replay(runs, 0),
  duplicated: await replay(runs, 0.3),
});
