import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { EnvelopeType, type KubeObject } from "../../shared/envelope";
import { createReceivers, LifecycleEvent } from "../../shared/receivers";
import { Relay } from "../../relay/relay";
import { SeededRandom } from "../helpers/chaos/random";
import { ChaosSink } from "../helpers/chaos/sink";
import { buildLifecycles, CI_NAMESPACE, interleave, REPO, type Lifecycle } from "../helpers/chaos/workload";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer, type RecordedScmRequest } from "../helpers/fake-scm";
import { DynamoStateStore, KeyPrefix, type StateStore } from "../../shared/store";
import { DynamoMeter, type DynamoTally } from "../helpers/dynamo-meter";
import { RecordingReceiver } from "../helpers/recording-receiver";
import { onHost } from "../helpers/run-host";

/**
 * SCM requests per lifecycle transition (created, started, finished) on the
 * local stack, as `npm run bench` measures them: Job and PipelineRun
 * lifecycles with their TaskRuns, one `scm` receiver with a token (commit
 * statuses) and one as a GitHub App (check runs) on the same fake GitHub,
 * once as the cluster sent them and once with 30% of the messages delivered
 * twice. The floor is one request per transition; 1.05 leaves room for the
 * App's installation token and for a stage that fails before its run ends.
 * DynamoDB requests are counted on the same replay, as the bench bills them.
 */
const RUNS = 30;
const APP_ID = 6161;
const TOKEN = "ghp_requestsPerTransition0123456789";
const { privateKey, publicKey } = appKeyPair();
const WATCH = [
  { group: "batch", version: "v1", resource: "jobs", namespaces: [CI_NAMESPACE] },
  { group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [CI_NAMESPACE] },
  { group: "tekton.dev", version: "v1", resource: "taskruns", namespaces: [CI_NAMESPACE] },
];

/** Requests of the token receiver: commit statuses. */
const isTokenRequest = (r: RecordedScmRequest) => r.path.includes("/statuses/");
/** Requests of the App receiver: check runs and its installation token. */
const isAppRequest = (r: RecordedScmRequest) => r.path.includes("/check-runs") || r.path.includes("/installation");

interface Replayed {
  github: FakeGitHubServer;
  lifecycles: Lifecycle[];
  /** Lifecycle callbacks the probe heard: every receiver has the same selector, so the same transitions. */
  transitions: number;
  messages: number;
  /** DynamoDB requests on run items (`obj#`) and on receivers' items (`rcv#`). */
  runs: DynamoTally;
  receivers: DynamoTally;
}

/** The table's store on a metered client, built on first use: the table exists only once the stack runs. */
const meteredStore = (meter: DynamoMeter): StateStore => {
  let store: DynamoStateStore | undefined;
  const table = () => (store ??= new DynamoStateStore({ tableName: process.env.TABLE_NAME!, client: meter.client() }));
  return {
    get: (key) => table().get(key),
    put: (key, data, expectedVersion, ttlSeconds) => table().put(key, data, expectedVersion, ttlSeconds),
    setPaths: (key, assignments) => table().setPaths(key, assignments),
  };
};

/** The lifecycles through the relay (ADDED, then MODIFIED, resourceVersions rising) into the local stack, until it is idle. */
const replay = async (duplicateRate: number): Promise<Replayed> => {
  const github = await startFakeGitHub({
    repos: [`${REPO.owner}/${REPO.name}`],
    tokens: [TOKEN],
    app: { id: APP_ID, publicKey, installations: [{ id: 61, repos: [`${REPO.owner}/${REPO.name}`] }] },
  });
  process.env.SCM_PER_TRANSITION_TOKEN = TOKEN;
  process.env.SCM_PER_TRANSITION_APP_KEY = privateKey;
  const scm = { provider: "github", baseUrl: github.apiUrl };
  const config = parseConfig({
    cluster: "per-transition",
    watch: WATCH,
    receivers: [
      { name: "statuses", type: "scm", options: { ...scm, token: "env:SCM_PER_TRANSITION_TOKEN" } },
      { name: "checks", type: "scm", options: { ...scm, app: { appId: APP_ID, privateKey: "env:SCM_PER_TRANSITION_APP_KEY" } } },
      { name: "probe", type: "console" },
    ],
  });
  const probe = new RecordingReceiver("probe");
  const receivers = [...createReceivers(config).filter((r) => r.receiver.name !== "probe"), { receiver: probe, entry: config.receivers[2]! }];
  const meter = new DynamoMeter();
  let stack: LocalStack | undefined;
  let sink: ChaosSink | undefined;
  let relay: Relay | undefined;
  try {
    stack = await startLocalStack({ config, process: { receivers, store: meteredStore(meter) } });
    const sending = new ChaosSink({ queueUrl: stack.emulators.queueUrl, random: new SeededRandom(7), duplicateRate, reorderRate: 0 });
    sink = sending;
    relay = new Relay({ cluster: config.cluster, watch: config.watch, sink: sending, log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
    const random = new SeededRandom(5);
    const lifecycles = buildLifecycles(random, RUNS, { pipelineRuns: 0.5, commitStatuses: 0 }).map((l) => ({ ...l, steps: l.steps.map((s) => onHost(s, github.url)) }));
    const seen = new Set<string>();
    let revision = 5000;
    for (const { object } of interleave(lifecycles, random, 10)) {
      const type = seen.has(object.metadata.uid) ? EnvelopeType.Modified : EnvelopeType.Added;
      seen.add(object.metadata.uid);
      await relay.ship(type, { ...object, metadata: { ...object.metadata, resourceVersion: String(++revision) } } as KubeObject);
    }
    await relay.flush();
    await stack.poller.drained(25);
    const transitions = probe.calls.filter((c) => c.event !== LifecycleEvent.Progress).length;
    return { github, lifecycles, transitions, messages: sending.stats.messages, runs: meter.total(KeyPrefix.object), receivers: meter.total(KeyPrefix.receiver) };
  } finally {
    await relay?.stop();
    await stack?.stop();
    sink?.destroy();
  }
};

/** Each scenario's replay, made once: the duplicated one is compared with the clean one, whichever test asks first. */
const replays = new Map<number, Promise<Replayed>>();
const replayOnce = (duplicateRate: number): Promise<Replayed> => {
  let replayed = replays.get(duplicateRate);
  if (!replayed) replays.set(duplicateRate, (replayed = replay(duplicateRate)));
  return replayed;
};
afterAll(async () => {
  for (const replayed of replays.values()) await (await replayed).github.stop();
});

describe.each([
  { scenario: "as the cluster sent them", duplicateRate: 0 },
  { scenario: "with 30% of the messages delivered twice", duplicateRate: 0.3 },
])("Integration: SCM requests per lifecycle transition, $scenario", ({ duplicateRate }) => {
  let replayed: Replayed;

  beforeAll(async () => {
    replayed = await replayOnce(duplicateRate);
  });

  it("delivers created, started and finished once per run, every message handled", () => {
    // Assess
    const events = replayed.lifecycles.reduce((n, l) => n + l.steps.length, 0);
    expect(replayed.messages).toBeGreaterThanOrEqual(events);
    if (duplicateRate > 0) expect(replayed.messages).toBeGreaterThan(events);
    expect(replayed.transitions).toBe(3 * RUNS);
  });

  it("sends at most 1.05 requests per transition with a token (commit statuses)", () => {
    // Prepare
    const requests = replayed.github.requests.filter(isTokenRequest);

    // Assess
    expect(requests.length).toBeGreaterThanOrEqual(replayed.transitions);
    expect(requests.length / replayed.transitions).toBeLessThanOrEqual(1.05);
  });

  it("sends at most 1.05 requests per transition as a GitHub App (check runs), one check run per run", () => {
    // Prepare
    const requests = replayed.github.requests.filter(isAppRequest);

    // Assess
    expect(replayed.github.checkRuns).toHaveLength(RUNS);
    expect(requests.length / replayed.transitions).toBeLessThanOrEqual(1.05);
  });

  it("reads each run's item once, when its first event finds none, and writes items of at most 1 KB", async () => {
    // Prepare
    const events = replayed.lifecycles.reduce((n, l) => n + l.steps.length, 0);

    // Assess: one instance handles every event, so after its first write a run's item is never read again, duplicates included
    expect(replayed.runs.reads).toBe(RUNS);
    expect(replayed.runs.writeUnits).toBe(replayed.runs.writes);
    // At most a claim and a record per event that calls receivers; a duplicate writes nothing
    expect(replayed.runs.writes).toBeLessThanOrEqual(2 * events);
    if (duplicateRate > 0) expect(replayed.runs.writes).toBe((await replayOnce(0)).runs.writes);
    // Receivers keep what they remember in the run item; a pause mark is only ever read
    expect(replayed.receivers.writes).toBe(0);
  });

  it("leaves every run's final status and stage table complete", () => {
    // Assess
    replayed.github.assertNoViolations();
    for (const lifecycle of replayed.lifecycles) {
      const conclusion = lifecycle.outcome === "succeeded" ? "success" : "failure";
      const statuses = replayed.github.statuses.filter((s) => s.sha === lifecycle.sha);
      expect(statuses.at(-1)?.state, lifecycle.name).toBe(conclusion);
      const [checkRun, ...others] = replayed.github.checkRuns.filter((c) => c.head_sha === lifecycle.sha);
      expect(others).toEqual([]);
      expect(checkRun).toMatchObject({ status: "completed", conclusion });
      const tasks = lifecycle.steps.filter((s) => s.kind === "TaskRun").map((s) => s.metadata.labels?.["tekton.dev/pipelineTask"]);
      for (const task of new Set(tasks)) expect(checkRun!.output.text, `${lifecycle.name} ${task}`).toMatch(new RegExp(`\\| ${task} \\| (✅ Succeeded|❌ Failed) \\|`));
    }
  });
});
