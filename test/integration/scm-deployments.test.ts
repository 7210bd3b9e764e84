import { fileURLToPath } from "node:url";
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecording, type RecordedEvent } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import type { EnvelopeType } from "../../shared/envelope";
import { createReceivers } from "../../shared/receivers";
import { KeyPrefix } from "../../shared/store";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer, type RecordedScmRequest } from "../helpers/fake-scm";
import { eventsOnHost } from "../helpers/run-host";

const APP_ID = 7171;
const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const DASHBOARD = "https://dashboard.example.com/#/namespaces/{{namespace}}/pipelineruns/{{name}}";
const STAGE_URL = "https://dashboard.example.com/#/namespaces/{{namespace}}/pipelineruns/{{name}}?pipelineTask={{stage}}";
const ENVIRONMENT_URL = "https://staging.shop.example.com";
const { privateKey, publicKey } = appKeyPair();
const RECORDING = readRecording(fileURLToPath(new URL("../../recordings/tekton-pipelinerun.ndjson", import.meta.url)));
const WATCH = [
  { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
  { group: "tekton.dev", version: "v1", resource: "taskruns" },
];
const DEPLOY = { "commit-status.argoproj.io/environment": "staging", "commit-status.argoproj.io/environment-url": ENVIRONMENT_URL };

/** The recording as another run: its own namespace and uids, its PipelineRun annotated to deploy. */
const deployRun = (events: readonly RecordedEvent[], namespace: string): RecordedEvent[] =>
  events.map(({ type, object }) => {
    const copy = structuredClone(object);
    const meta = copy.metadata as Record<string, unknown> & { uid: string; ownerReferences?: { uid: string }[] };
    copy.metadata.namespace = namespace;
    meta.uid = `${namespace}-${meta.uid}`;
    for (const owner of meta.ownerReferences ?? []) owner.uid = `${namespace}-${owner.uid}`;
    if (copy.kind === "PipelineRun") copy.metadata.annotations = { ...copy.metadata.annotations, ...DEPLOY };
    return { type, object: copy };
  });

/** The same watch events once more, as a relist or the resync would deliver them. */
const again = (events: readonly RecordedEvent[], type?: EnvelopeType, rvPrefix = ""): RecordedEvent[] =>
  events.map((event) => ({
    type: type ?? event.type,
    object: { ...event.object, metadata: { ...event.object.metadata, resourceVersion: `${rvPrefix}${event.object.metadata.resourceVersion ?? ""}` } },
  }));

const replay = async (stack: LocalStack, events: readonly RecordedEvent[]): Promise<void> => {
  for (const { type, object } of events) {
    await stack.relay.ship(type, object);
    await stack.relay.flush();
    await stack.poller.drained(25);
  }
};

const route = (r: RecordedScmRequest) => `${r.method} ${r.path.replace(/\/deployments\/\d+/, "/deployments/{id}")}`;

describe("Integration: GitHub deployments from the scm receiver on the local stack", () => {
  let github: FakeGitHubServer;
  let stack: LocalStack;
  const runs = { app: [] as RecordedEvent[], token: [] as RecordedEvent[] };

  beforeAll(async () => {
    process.env.DEPLOY_IT_APP_KEY = privateKey;
    process.env.DEPLOY_IT_TOKEN = "ghp_deploy_it";
    github = await startFakeGitHub({
      repos: ["example/shop"],
      tokens: ["ghp_deploy_it"],
      app: { id: APP_ID, publicKey, installations: [{ id: 41, repos: ["example/shop"] }] },
    });
    const scm = { provider: "github", baseUrl: github.apiUrl };
    const config = parseConfig({
      cluster: "deploy-it",
      watch: WATCH,
      receivers: [
        { name: "checks", type: "scm", selector: { namespaces: ["deploy-app"] }, options: { ...scm, app: { appId: APP_ID, privateKey: "env:DEPLOY_IT_APP_KEY" } } },
        { name: "statuses", type: "scm", selector: { namespaces: ["deploy-token"] }, options: { ...scm, token: "env:DEPLOY_IT_TOKEN" } },
      ],
      processing: { backoff: { baseSeconds: 1, capSeconds: 2 }, dashboardUrl: DASHBOARD, stageUrl: STAGE_URL },
    });
    stack = await startLocalStack({ config, process: { receivers: createReceivers(config) } });
    runs.app = deployRun(eventsOnHost(RECORDING, github.url), "deploy-app");
    runs.token = deployRun(eventsOnHost(RECORDING, github.url), "deploy-token");
    await replay(stack, runs.app);
    await replay(stack, runs.token);
  });

  afterAll(async () => {
    await stack?.stop();
    await github?.stop();
  });

  const deploymentOf = (namespace: string) => github.deployments.deployments.filter((d) => (d.payload as { uid?: string }).uid?.startsWith(`${namespace}-`));

  it.each([
    // The token run deployed to staging after it: GitHub marks the earlier successful deployment inactive (auto_inactive).
    ["App credentials", "deploy-app", ["queued", "in_progress", "success", "inactive"]],
    ["a token", "deploy-token", ["queued", "in_progress", "success"]],
  ])("with %s: one deployment of the run's commit to its environment, statuses queued → in_progress → success linking the run", (_mode, namespace, states) => {
    // Prepare
    const runUrl = `https://dashboard.example.com/#/namespaces/${namespace}/pipelineruns/build-and-test-x7k2p`;

    // Assess
    github.assertNoViolations();
    const deployments = deploymentOf(namespace);
    expect(deployments).toHaveLength(1);
    const [deployment] = deployments;
    expect(deployment).toMatchObject({ repo: "example/shop", sha: SHA, environment: "staging", auto_merge: false, required_contexts: [], task: "deploy" });
    expect(deployment!.payload).toEqual({ run: `deploy-it/${namespace}/build-and-test-x7k2p`, uid: `${namespace}-5f0c2d1e-8a4b-4c7e-9d3f-1b2a3c4d5e6f` });
    const all = github.deployments.statusesOf(deployment!.id);
    expect(all.map((s) => s.state)).toEqual(states);
    const statuses = all.slice(0, 3);
    expect(statuses.every((s) => s.log_url === runUrl && s.environment_url === ENVIRONMENT_URL)).toBe(true);
    expect(statuses.map((s) => s.description)).toEqual([
      "build-and-test-x7k2p: Queued",
      expect.stringMatching(/^build-and-test-x7k2p: Running/),
      "build-and-test-x7k2p: 3/3 stages succeeded in 1m 03s",
    ]);
  });

  it("links each stage of the check run to processing.stageUrl", () => {
    // Assess
    const run = github.checkRuns.at(-1)!;
    expect(run.output.text).toContain("| [build](https://dashboard.example.com/#/namespaces/deploy-app/pipelineruns/build-and-test-x7k2p?pipelineTask=build) | ✅ Succeeded |");
  });

  it("sends no deployment request when the events are delivered again, by the handler's state or by the receiver's memory", async () => {
    // Prepare
    const dynamo = new DynamoDBClient({});
    const deploymentRequests = () => github.requests.filter((r) => r.path.includes("/deployments")).map(route);
    const before = deploymentRequests();

    // Act: the same events again, suppressed by the run state...
    await replay(stack, again([...runs.app, ...runs.token], "RESYNC"));
    const afterRepeat = deploymentRequests();
    // ...then with the run state lost, so the receivers are called once more and only their memory stops the writes.
    const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: stack.emulators.tableName }));
    for (const item of Items.filter((i) => !i.pk?.S?.startsWith(KeyPrefix.receiver))) {
      await dynamo.send(new DeleteItemCommand({ TableName: stack.emulators.tableName, Key: { pk: item.pk! } }));
    }
    await replay(stack, again([...runs.app, ...runs.token], undefined, "9"));
    dynamo.destroy();

    // Assess
    expect(before).toEqual([
      "POST /repos/example/shop/deployments",
      "POST /repos/example/shop/deployments/{id}/statuses",
      "POST /repos/example/shop/deployments/{id}/statuses",
      "POST /repos/example/shop/deployments/{id}/statuses",
      "POST /repos/example/shop/deployments",
      "POST /repos/example/shop/deployments/{id}/statuses",
      "POST /repos/example/shop/deployments/{id}/statuses",
      "POST /repos/example/shop/deployments/{id}/statuses",
    ]);
    expect(afterRepeat).toEqual(before);
    expect(deploymentRequests()).toEqual(before);
    expect(github.deployments.deployments).toHaveLength(2);
    // Ours, and the one GitHub added (the first deployment made inactive by the second).
    expect(github.deployments.statuses).toHaveLength(7);
  });
});
