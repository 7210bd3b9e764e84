import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecording, type RecordedEvent } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { SqsQueueOps } from "../../shared/process/queue";
import { KeyPrefix, StoreKey } from "../../shared/store";
import { eventually } from "../helpers/eventually";
import { FakeSlack, FakeWebhook } from "../helpers/fake-chat";
import { startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";
import { DeferredQueueOps, recordSqsWire, type WireCall } from "../helpers/sqs-wire";
import { runStateOf, type RunRecord } from "../../shared/pipeline/run-record";

const TOKEN = "ghp_rate_limits_it";
const RECORDING = readRecording(fileURLToPath(new URL("../../recordings/tekton-pipelinerun.ndjson", import.meta.url)));
const PIPELINE_RUNS = RECORDING.filter((e) => e.object.kind === "PipelineRun");
const [CREATED, FINISHED] = [PIPELINE_RUNS[0]!, PIPELINE_RUNS.at(-1)!];
const STATUS_NAME = "commit-status.argoproj.io/status-name";
const REPO_URL = "commit-status.argoproj.io/repo-url";

/** The recorded PipelineRun event as another run: its own uid and namespace, more annotations. */
const runOf = (event: RecordedEvent, uid: string, namespace: string, annotations: Record<string, string> = {}): RecordedEvent => {
  const object = structuredClone(event.object);
  object.metadata = { ...object.metadata, uid, namespace, annotations: { ...object.metadata.annotations, ...annotations } };
  return { type: event.type, object };
};

/** The run a record is about, from its envelope. */
const uidOf = (record: SQSRecord): string => (JSON.parse(record.body) as { object: { metadata: { uid: string } } }).object.metadata.uid;

/** Real queue operations, remembering which run each receipt handle belonged to and what was dead-lettered. */
class RunQueueOps extends DeferredQueueOps {
  readonly runOf = new Map<string, string>();
  readonly deadLettered: string[] = [];
  override delay(record: SQSRecord, seconds: number): Promise<void> {
    this.runOf.set(record.receiptHandle, uidOf(record));
    return super.delay(record, seconds);
  }
  override deadLetter(record: SQSRecord, reason: string, status: string, error: string | undefined): Promise<void> {
    this.deadLettered.push(uidOf(record));
    return super.deadLetter(record, reason, status, error);
  }
}

describe("Integration: rate limits on the local stack", () => {
  let github: FakeGitHubServer;
  const webhook = new FakeWebhook();
  const slack = new FakeSlack();
  let stack: LocalStack;
  let wire: WireCall[];
  const queue = new RunQueueOps();
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));

  /** The visibility delays set on the wire for one run's messages, in order. */
  const delaysOf = (uid: string): number[] =>
    wire
      .filter((c) => c.action === "ChangeMessageVisibility" && queue.runOf.get(String(c.body.ReceiptHandle)) === uid)
      .map((c) => Number(c.body.VisibilityTimeout));

  const ship = async (event: RecordedEvent): Promise<void> => {
    await stack.relay.ship(event.type, event.object);
    await stack.relay.flush();
  };

  /** Every item of the state table, unmarshalled. */
  const items = async (): Promise<Record<string, unknown>[]> => {
    const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: stack.emulators.tableName }));
    return Items;
  };

  /** What the run item remembers of one receiver's deliveries. */
  const deliveries = async (uid: string, receiver: string): Promise<Record<string, unknown>> => {
    const run = (await items()).find((item) => String(item.pk).endsWith(`/${uid}`)) as { data: RunRecord };
    return runStateOf(run).deliveries[receiver] as Record<string, unknown>;
  };

  const onGitHub = () => ({ [REPO_URL]: `${github.url}/example/shop.git` });
  const statusesNamed = (name: string) => github.statuses.filter((s) => s.context === name);

  beforeAll(async () => {
    process.env.RATE_IT_TOKEN = TOKEN;
    process.env.RATE_IT_SLACK = "";
    github = await startFakeGitHub({ repos: ["example/shop"], tokens: [TOKEN] });
    await webhook.start();
    await slack.start();
    process.env.RATE_IT_SLACK = slack.webhookUrl;
    const limits = { namespaces: ["limits"] };
    const config = parseConfig({
      cluster: "rate-it",
      watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
      receivers: [
        // Listed before GitHub on purpose: its failure must not decide the delay.
        { name: "hook", type: "webhook", selector: limits, options: { url: webhook.url } },
        { name: "statuses", type: "scm", selector: limits, options: { provider: "github", baseUrl: github.apiUrl, token: "env:RATE_IT_TOKEN" } },
        { name: "team-slack", type: "slack", selector: { namespaces: ["chat"] }, options: { url: "env:RATE_IT_SLACK", rateLimit: { perMinute: 1 } } },
      ],
      processing: { backoff: { baseSeconds: 1, capSeconds: 2 } },
    });
    stack = await startLocalStack({ config, process: { queue } });
    const client = new SQSClient({ useQueueUrlAsEndpoint: false });
    wire = recordSqsWire(client);
    queue.target = new SqsQueueOps({ queueUrl: stack.emulators.queueUrl, dlqUrl: stack.emulators.dlqUrl, client });
  });

  afterAll(async () => {
    await stack?.stop();
    dynamo.destroy();
    await github?.stop();
    await webhook.stop();
    await slack.stop();
  });

  it("waits out GitHub's Retry-After: 8 behind a failing webhook, pauses the token for another run, then lands every status once", async () => {
    // Prepare
    const a = runOf(CREATED, "limits-run-a", "limits", { ...onGitHub(), [STATUS_NAME]: "ci/run-a" });
    const b = runOf(CREATED, "limits-run-b", "limits", { ...onGitHub(), [STATUS_NAME]: "ci/run-b" });
    webhook.answerNext({ status: 500, body: "down for maintenance" });
    github.rateLimitNext({ retryAfterSeconds: 8 });

    // Act: run A meets both failures; run B arrives while the token is paused.
    await ship(a);
    await eventually(() => delaysOf("limits-run-a").length > 0);
    const githubAfterA = github.requests.length;
    await ship(b);
    await eventually(() => delaysOf("limits-run-b").length > 0);
    const githubAfterB = github.requests.length;
    const pausedB = await deliveries("limits-run-b", "statuses");
    // Both come back once the pause has passed.
    await eventually(() => statusesNamed("ci/run-a").length > 0 && statusesNamed("ci/run-b").length > 0, 30_000);
    await stack.poller.drained(25);

    // Assess: A waited for GitHub's 8 s, not for the webhook's 1–2 s backoff.
    github.assertNoViolations();
    expect(delaysOf("limits-run-a")[0]).toBe(8);
    expect(githubAfterA).toBe(1);
    // B waited for what was left of the same pause, without a request.
    const [delayB] = delaysOf("limits-run-b");
    expect(delayB).toBeGreaterThanOrEqual(4);
    expect(delayB).toBeLessThanOrEqual(8);
    expect(githubAfterB).toBe(1);
    expect(String(pausedB.lastError)).toContain("no request made");
    const marks = (await items()).filter((item) => String(item.pk).startsWith(StoreKey.receiver(KeyPrefix.pause)));
    expect(marks).toHaveLength(1);
    expect(String(marks[0]!.pk)).toMatch(/pause#127\.0\.0\.1:\d+#token-[0-9a-f]{16}$/);
    expect(JSON.stringify(marks[0])).not.toContain(TOKEN);
    // Afterwards each status landed once, and the webhook got each callback once, plus the one repeat of the call it failed.
    expect(statusesNamed("ci/run-a").map((s) => s.state)).toEqual(["pending"]);
    expect(statusesNamed("ci/run-b").map((s) => s.state)).toEqual(["pending"]);
    expect(github.requests).toHaveLength(3);
    const deliveryIds = webhook.requests.map((r) => r.headers["x-feedback-delivery"]);
    expect(deliveryIds.filter((id) => id === deliveryIds[0])).toHaveLength(2);
    expect(new Set(deliveryIds).size).toBe(deliveryIds.length - 1);
    expect(queue.deadLettered).toEqual([]);
  });

  it("honours a Retry-After given as an HTTP date from GitHub", async () => {
    // Prepare: a date 20 s ahead, at a whole second as HTTP dates are.
    const c = runOf(CREATED, "limits-run-c", "limits", { ...onGitHub(), [STATUS_NAME]: "ci/run-c" });
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 20_000);
    github.failNext({
      status: 403,
      headers: { "retry-after": at.toUTCString() },
      body: { message: "You have exceeded a secondary rate limit.", documentation_url: "https://docs.github.com/rest" },
    });
    const requests = github.requests.length;

    // Act
    await ship(c);
    await eventually(() => delaysOf("limits-run-c").length > 0);

    // Assess
    const [delay] = delaysOf("limits-run-c");
    expect(delay).toBeGreaterThanOrEqual(19);
    expect(delay).toBeLessThanOrEqual(21);
    expect(github.requests.length - requests).toBe(1);
    expect(statusesNamed("ci/run-c")).toHaveLength(0);
    const mark = (await items()).find((item) => String(item.pk).startsWith(StoreKey.receiver(KeyPrefix.pause))) as { data: { until: number } };
    expect(Math.abs(mark.data.until - at.getTime())).toBeLessThanOrEqual(1_000);
  });

  it("delays a chat post beyond rateLimit.perMinute by the window and drops none", async () => {
    // Prepare: two runs finish in the same minute; the Slack receiver allows one post a minute.
    const d = runOf(FINISHED, "chat-run-d", "chat");
    const e = runOf(FINISHED, "chat-run-e", "chat");

    // Act
    await ship(d);
    await eventually(() => slack.requests.length === 1);
    await ship(e);
    await eventually(() => delaysOf("chat-run-e").length > 0);

    // Assess
    const [delay] = delaysOf("chat-run-e");
    expect(delay).toBeGreaterThanOrEqual(55);
    expect(delay).toBeLessThanOrEqual(60);
    expect(delaysOf("chat-run-d")).toEqual([]);
    expect(slack.requests).toHaveLength(1);
    const waiting = await deliveries("chat-run-e", "team-slack");
    expect(waiting.finished).toEqual({ s: "open" });
    expect(String(waiting.lastError)).toContain("rateLimit.perMinute");
    expect(queue.deadLettered).toEqual([]);
  });
});
