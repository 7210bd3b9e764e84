import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecording, type RecordedEvent } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { createReceivers } from "../../shared/receivers";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";
import { RecordingReceiver } from "../helpers/recording-receiver";
import { eventsOnHost } from "../helpers/run-host";

const APP_ID = 6161;
const { privateKey, publicKey } = appKeyPair();
const RECORDING = readRecording(fileURLToPath(new URL("../../recordings/tekton-pipelinerun.ndjson", import.meta.url)));

const isFinal = (e: RecordedEvent) =>
  e.object.kind === "PipelineRun" && (e.object.status as { conditions?: Array<{ status: string }> } | undefined)?.conditions?.[0]?.status === "True";
const FINAL = RECORDING.find(isFinal)!;
const REST = RECORDING.filter((e) => e !== FINAL);
/** Where the PipelineRun's final event goes among the others: after the event at this index. */
const ORDERS = {
  // Straight after the PipelineRun started, before any TaskRun event.
  before: REST.findIndex((e) => e.object.kind === "TaskRun"),
  // After the first TaskRun finished, before the other two.
  between: REST.findIndex((e) => e.object.kind === "TaskRun" && e.type === "MODIFIED") + 1,
  after: REST.length,
} as const;

/** The recording as its own run (uids, commit), with the final event moved to `at`. */
const reordered = (tag: string, sha: string, at: number): RecordedEvent[] =>
  [...REST.slice(0, at), FINAL, ...REST.slice(at)].map(({ type, object }) => {
    const copy = structuredClone(object);
    const meta = copy.metadata as typeof copy.metadata & { ownerReferences?: { uid: string }[] };
    meta.uid = `${tag}-${meta.uid}`;
    for (const owner of meta.ownerReferences ?? []) owner.uid = `${tag}-${owner.uid}`;
    if (copy.kind === "PipelineRun") copy.metadata.annotations = { ...copy.metadata.annotations, "commit-status.argoproj.io/sha": sha };
    return { type, object: copy };
  });

const replay = async (stack: LocalStack, events: readonly RecordedEvent[]): Promise<void> => {
  for (const { type, object } of events) {
    await stack.relay.ship(type, object);
    await stack.relay.flush();
    await stack.poller.drained(25);
  }
};

const SHAS = { before: "1".repeat(40), between: "2".repeat(40), after: "3".repeat(40) } as const;
const TRUE_TABLE = ["| clone | ✅ Succeeded |", "| build | ✅ Succeeded |", "| test | ✅ Succeeded |"];

describe("A PipelineRun's report, whatever the order of its final event and its TaskRuns' events", () => {
  let github: FakeGitHubServer;
  let stack: LocalStack;
  const probe = new RecordingReceiver("probe");

  beforeAll(async () => {
    process.env.ORDER_APP_KEY = privateKey;
    process.env.ORDER_TOKEN = "ghp_order_it";
    github = await startFakeGitHub({
      repos: ["example/shop"],
      tokens: ["ghp_order_it"],
      app: { id: APP_ID, publicKey, installations: [{ id: 41, repos: ["example/shop"] }] },
    });
    const scm = { provider: "github", baseUrl: github.apiUrl };
    const config = parseConfig({
      cluster: "order",
      watch: [
        { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
        { group: "tekton.dev", version: "v1", resource: "taskruns" },
      ],
      receivers: [
        { name: "checks", type: "scm", options: { ...scm, app: { appId: APP_ID, privateKey: "env:ORDER_APP_KEY" } } },
        { name: "statuses", type: "scm", options: { ...scm, token: "env:ORDER_TOKEN" } },
        { name: "probe", type: "console" },
      ],
    });
    const receivers = createReceivers(config).filter((r) => r.receiver.name !== "probe");
    stack = await startLocalStack({ config, process: { receivers: [...receivers, { receiver: probe, entry: config.receivers[2]! }] } });
    for (const [order, at] of Object.entries(ORDERS)) await replay(stack, eventsOnHost(reordered(order, SHAS[order as keyof typeof SHAS], at), github.url));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await github?.stop();
  });

  it.each(Object.keys(ORDERS))("ends with the true stage table, none pending, when the final event comes %s the TaskRuns'", (order) => {
    const sha = SHAS[order as keyof typeof SHAS];
    github.assertNoViolations();
    const runs = github.checkRuns.filter((r) => r.head_sha === sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "success" });
    for (const row of TRUE_TABLE) expect(runs[0]!.output.text).toContain(row);
    expect(runs[0]!.output.text).not.toContain("Pending");
    const progress = probe.calls.filter((c) => c.run === "order/ci/build-and-test-x7k2p" && c.event === "progress" && c.phase === "succeeded");
    expect(progress.at(-1)?.stages).toBe("clone=succeeded,build=succeeded,test=succeeded");
  });

  it.each(Object.keys(ORDERS))("writes to GitHub at most once after the final phase when the final event comes %s", (order) => {
    const sha = SHAS[order as keyof typeof SHAS];
    const checkWrites = github.requests.filter((r) => r.path.includes("/check-runs") && r.method !== "GET");
    const mine = checkWrites.filter((r) => (r.body as { head_sha?: string }).head_sha === sha || runIdsOf(sha).some((id) => r.path.endsWith(`/${id}`)));
    const firstFinal = mine.findIndex((r) => (r.body as { status?: string }).status === "completed");
    expect(firstFinal).toBeGreaterThanOrEqual(0);
    expect(mine.length - firstFinal - 1).toBeLessThanOrEqual(1);

    const statusWrites = github.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/statuses/${sha}`));
    const firstSuccess = statusWrites.findIndex((r) => (r.body as { state?: string }).state === "success");
    expect(firstSuccess).toBeGreaterThanOrEqual(0);
    expect(statusWrites.length - firstSuccess - 1).toBeLessThanOrEqual(1);
    expect(statusWrites.map((r) => (r.body as { state: string }).state)).not.toContain("error");
  });

  const runIdsOf = (sha: string): number[] => github.checkRuns.filter((r) => r.head_sha === sha).map((r) => r.id);
});
