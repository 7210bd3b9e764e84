import { fileURLToPath } from "node:url";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecording, type RecordedEvent } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig, type FeedbackConfig } from "../../shared/config";
import type { EnvelopeType } from "../../shared/envelope";
import { SqsQueueOps } from "../../shared/process/queue";
import { createReceivers } from "../../shared/receivers";
import { runStateOf, type RunRecord } from "../../shared/pipeline/run-record";
import { KeyPrefix } from "../../shared/store";
import { eventually } from "../helpers/eventually";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer, type RecordedScmRequest } from "../helpers/fake-scm";
import { RecordingReceiver } from "../helpers/recording-receiver";
import { eventsOnHost } from "../helpers/run-host";
import { DeferredQueueOps, recordSqsWire, type WireCall } from "../helpers/sqs-wire";

const APP_ID = 5151;
const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const STATUS_NAME = "ci/build-and-test";
const DASHBOARD = "https://dashboard.example.com/#/namespaces/{{namespace}}/pipelineruns/{{name}}";
const RUN_URL = "https://dashboard.example.com/#/namespaces/ci/pipelineruns/build-and-test-x7k2p";
/** The recorded PipelineRun's uid: its check run's external_id. */
const RUN_UID = "5f0c2d1e-8a4b-4c7e-9d3f-1b2a3c4d5e6f";
const { privateKey, publicKey } = appKeyPair();
const RECORDING = readRecording(fileURLToPath(new URL("../../recordings/tekton-pipelinerun.ndjson", import.meta.url)));
const WATCH = [
  { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
  { group: "tekton.dev", version: "v1", resource: "taskruns" },
];

/** The recording as another run: its own namespace and uids, optionally more annotations on the PipelineRun. */
const variant = (events: readonly RecordedEvent[], tag: string, namespace: string, annotations: Record<string, string> = {}): RecordedEvent[] =>
  events.map(({ type, object }) => {
    const copy = structuredClone(object);
    const meta = copy.metadata as Record<string, unknown> & { uid: string; ownerReferences?: { uid: string }[] };
    copy.metadata.namespace = namespace;
    meta.uid = `${tag}-${meta.uid}`;
    for (const owner of meta.ownerReferences ?? []) owner.uid = `${tag}-${owner.uid}`;
    if (copy.kind === "PipelineRun") copy.metadata.annotations = { ...copy.metadata.annotations, ...annotations };
    return { type, object: copy };
  });

/** The same watch events once more, as a relist or the resync would deliver them (SQS would drop exact repeats). */
const again = (events: readonly RecordedEvent[], type?: EnvelopeType, rvPrefix = ""): RecordedEvent[] =>
  events.map((event) => ({
    type: type ?? event.type,
    object: { ...event.object, metadata: { ...event.object.metadata, resourceVersion: `${rvPrefix}${event.object.metadata.resourceVersion ?? ""}` } },
  }));

/** One watch event at a time, waiting for the queue to drain in between (cli/local/run.ts `replay`). */
const replay = async (stack: LocalStack, events: readonly RecordedEvent[]): Promise<void> => {
  for (const { type, object } of events) {
    await stack.relay.ship(type, object);
    await stack.relay.flush();
    await stack.poller.drained(25);
  }
};

const startGitHub = () =>
  startFakeGitHub({
    repos: ["example/shop"],
    tokens: ["ghp_scm_it"],
    app: { id: APP_ID, publicKey, installations: [{ id: 31, repos: ["example/shop"] }] },
  });

const configWith = (receivers: FeedbackConfig["receivers"] | Record<string, unknown>[]) =>
  parseConfig({ cluster: "scm-it", watch: WATCH, receivers, processing: { backoff: { baseSeconds: 1, capSeconds: 2 }, dashboardUrl: DASHBOARD } });

const route = (r: RecordedScmRequest) => `${r.method} ${r.path.replace(/\/\d+$/, "/{id}")}`;
const stateOf = (body: Record<string, unknown>) => (body.status === "completed" ? `completed/${String(body.conclusion)}` : String(body.status));
/** Consecutive repeats removed: the states an observer of the SCM saw, in order. */
const transitions = (states: readonly string[]) => states.filter((s, i) => i === 0 || s !== states[i - 1]);

describe("Integration: scm receiver on the local stack", () => {
  let github: FakeGitHubServer;
  let stack: LocalStack;
  const probe = new RecordingReceiver("probe");
  /** The recording on the fake's host, the receivers' own. */
  let recording: RecordedEvent[];

  beforeAll(async () => {
    process.env.SCM_IT_APP_KEY = privateKey;
    process.env.SCM_IT_TOKEN = "ghp_scm_it";
    github = await startGitHub();
    recording = eventsOnHost(RECORDING, github.url);
    const scm = { provider: "github", baseUrl: github.apiUrl };
    const config = configWith([
      { name: "checks", type: "scm", selector: { namespaces: ["ci"] }, options: { ...scm, app: { appId: APP_ID, privateKey: "env:SCM_IT_APP_KEY" } } },
      { name: "statuses", type: "scm", selector: { namespaces: ["ci"] }, options: { ...scm, token: "env:SCM_IT_TOKEN" } },
      { name: "pr-comments", type: "scm", selector: { namespaces: ["pr"] }, options: { ...scm, token: "env:SCM_IT_TOKEN", comment: { enabled: true } } },
      { name: "probe", type: "console", selector: { namespaces: ["ci"] } },
    ]);
    const receivers = createReceivers(config).filter((r) => r.receiver.name !== "probe");
    stack = await startLocalStack({ config, process: { receivers: [...receivers, { receiver: probe, entry: config.receivers[3]! }] } });
    await replay(stack, recording);
  });

  afterAll(async () => {
    await stack?.stop();
    await github?.stop();
  });

  it("yields exactly one check run with App credentials, created queued and updated in place to completed/success with the stage table", () => {
    // Prepare
    const calls = github.requests.filter((r) => r.path.includes("/check-runs"));
    const bodies = calls.map((r) => r.body as Record<string, unknown>);

    // Assess
    github.assertNoViolations();
    expect(github.checkRuns).toHaveLength(1);
    const [run] = github.checkRuns;
    expect(run).toMatchObject({ repo: "example/shop", head_sha: SHA, name: STATUS_NAME, status: "completed", conclusion: "success" });
    expect(run!.output.summary).toBe("build-and-test-x7k2p: 3/3 stages succeeded in 1m 03s");
    expect(run!.external_id).toBe(RUN_UID);
    expect(run!.details_url).toBe(RUN_URL);
    expect(new Set(bodies.map((b) => b.external_id))).toEqual(new Set([RUN_UID]));
    for (const row of ["| clone | ✅ Succeeded | 12s |", "| build | ✅ Succeeded | 48s |", "| test | ✅ Succeeded | 26s |"]) {
      expect(run!.output.text).toContain(row);
    }
    expect(calls.map(route)).toEqual(["POST /repos/example/shop/check-runs", ...calls.slice(1).map(() => "PATCH /repos/example/shop/check-runs/{id}")]);
    expect(new Set(calls.slice(1).map((r) => r.path))).toEqual(new Set([`/repos/example/shop/check-runs/${run!.id}`]));
    expect(transitions(bodies.map(stateOf))).toEqual(["queued", "in_progress", "completed/success"]);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(bodies.length);
  });

  it("yields commit statuses pending → success with a token, never the same status twice", () => {
    // Prepare
    const mine = github.statuses.filter((s) => s.context === STATUS_NAME && s.sha === SHA);

    // Assess
    expect(transitions(mine.map((s) => s.state))).toEqual(["pending", "success"]);
    expect(mine.at(-1)!.description).toBe("build-and-test-x7k2p: 3/3 stages succeeded in 1m 03s");
    expect(mine.every((s) => s.description?.startsWith("build-and-test-x7k2p: ") && s.target_url === RUN_URL)).toBe(true);
    const shown = mine.map((s) => `${s.state} ${s.description}`);
    expect(transitions(shown)).toEqual(shown);
  });

  it("makes no SCM request when the same events are replayed again, and keeps what it posted in the run item, not items of its own", async () => {
    // Prepare
    const requests = github.requests.length;
    const records = stack.poller.stats.records;
    const dynamo = new DynamoDBClient({});

    // Act
    await replay(stack, again(recording, "RESYNC"));
    const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: stack.emulators.tableName }));
    dynamo.destroy();

    // Assess
    expect(stack.poller.stats.records - records).toBeGreaterThanOrEqual(recording.length);
    expect(github.requests.length).toBe(requests);
    expect(github.checkRuns).toHaveLength(1);
    const items = Items.map((item) => unmarshall(item));
    expect(items.filter((item) => String(item.pk).startsWith(KeyPrefix.receiver) && String(item.pk).includes("/status/"))).toEqual([]);
    const run = items.map((item) => runStateOf(item as { data: RunRecord })).find((state) => state.deliveries.checks);
    expect(run?.deliveries.checks?.mem).toMatchObject({ phase: "success", ids: { checkRunId: github.checkRuns[0]!.id } });
    expect(run?.deliveries.statuses?.mem).toMatchObject({ phase: "success" });
  });

  it("keeps one pull request comment with the stage table, edited in place", async () => {
    // Prepare
    const pr = variant(recording, "pr", "pr", { "commit-status.argoproj.io/pr": "42" });

    // Act
    await replay(stack, pr);

    // Assess
    github.assertNoViolations();
    const comments = github.issues.comments.filter((c) => c.issue_number === 42);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith("<!-- kube-feedback:pr/build-and-test -->")).toBe(true);
    expect(comments[0]!.body).toContain("### ✅ `pr/build-and-test` succeeded");
    expect(comments[0]!.body).toContain("| test | ✅ Succeeded | 26s |");
    const calls = github.requests.filter((r) => r.path.includes("/comments")).map(route);
    expect(calls.slice(0, 2)).toEqual(["GET /repos/example/shop/issues/42/comments", "POST /repos/example/shop/issues/42/comments"]);
    expect(calls.slice(2).length).toBeGreaterThan(0);
    expect(new Set(calls.slice(2))).toEqual(new Set([`PATCH /repos/example/shop/issues/comments/{id}`]));
    expect(new Set(github.requests.filter((r) => r.method === "PATCH" && r.path.includes("/comments")).map((r) => r.path))).toEqual(
      new Set([`/repos/example/shop/issues/comments/${comments[0]!.id}`]),
    );
  });
});

describe("Integration: scm receiver under a GitHub rate limit", () => {
  let github: FakeGitHubServer;
  let stack: LocalStack;
  let wire: WireCall[];
  const queue = new DeferredQueueOps();

  beforeAll(async () => {
    process.env.SCM_IT_TOKEN = "ghp_scm_it";
    github = await startGitHub();
    const config = configWith([{ name: "statuses", type: "scm", options: { provider: "github", baseUrl: github.apiUrl, token: "env:SCM_IT_TOKEN" } }]);
    stack = await startLocalStack({ config, process: { queue } });
    const client = new SQSClient({ useQueueUrlAsEndpoint: false });
    wire = recordSqsWire(client);
    queue.target = new SqsQueueOps({ queueUrl: stack.emulators.queueUrl, dlqUrl: stack.emulators.dlqUrl, client });
  });

  afterAll(async () => {
    await stack?.stop();
    await github?.stop();
  });

  it("sets the message's visibility to the reset 30 s ahead, after exactly one request and no busy retries", async () => {
    // Prepare
    const [created] = variant(eventsOnHost(RECORDING, github.url), "limited", "ci");
    github.rateLimitNext({ resetInSeconds: 30 });

    // Act
    await stack.relay.ship(created!.type, created!.object);
    await stack.relay.flush();
    // The invocation has answered with the failure: any retry inside it would already show in the requests.
    await eventually(() => stack.poller.stats.failures > 0 && wire.some((c) => c.action === "ChangeMessageVisibility"));

    // Assess
    github.assertNoViolations();
    const delays = wire.filter((c) => c.action === "ChangeMessageVisibility").map((c) => Number(c.body.VisibilityTimeout));
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(29);
    expect(delays[0]).toBeLessThanOrEqual(30);
    expect(github.requests.map(route)).toEqual([`POST /repos/example/shop/statuses/${SHA}`]);
    expect(github.statuses).toHaveLength(0);
  });
});
