import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LocalPoller } from "../../cli/local/poller";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { createHandler } from "../../functions/process/handler";
import { parseConfig, type FeedbackConfig } from "../../shared/config";
import { FakeWebhook } from "../helpers/fake-chat";
import { eventually } from "../helpers/eventually";
import { heldMessages, type HeldMessage } from "../helpers/fauxqs-inspect";

const job = (uid: string, resourceVersion: string, status: Record<string, unknown>) => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: `build-${uid}`, namespace: "ci", uid, resourceVersion },
  status,
});
const running = { startTime: "2026-11-20T10:00:00Z", active: 1 };
const complete = {
  startTime: "2026-11-20T10:00:00Z",
  completionTime: "2026-11-20T10:01:00Z",
  succeeded: 1,
  conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2026-11-20T10:01:00Z" }],
};

const configWith = (brokenSecret: string): FeedbackConfig =>
  parseConfig({
    cluster: "alone",
    watch: [{ group: "batch", version: "v1", resource: "jobs" }],
    receivers: [
      { name: "healthy", type: "webhook", options: { url: "http://127.0.0.1:1/hook/healthy" } },
      { name: "broken", type: "webhook", options: { url: "http://127.0.0.1:1/hook/broken", secret: brokenSecret } },
    ],
    processing: { maxRetries: 2, backoff: { baseSeconds: 1, capSeconds: 1 } },
  });

/** Points both webhooks at the fake server once its port is known. */
const pointedAt = (config: FeedbackConfig, hook: FakeWebhook): FeedbackConfig => ({
  ...config,
  receivers: config.receivers.map((r) => ({ ...r, options: { ...r.options, url: `${hook.url}/${r.name}` } })),
});

const eventsTo = (hook: FakeWebhook, name: string, uid: string): string[] =>
  hook.requests
    .filter((r) => r.path === `/hook/${name}` && (r.json as { pipeline: { uid: string } }).pipeline.uid === uid)
    .map((r) => String(r.headers["x-feedback-event"]));

/** The DLQ's messages with the reason attributes the process function set, read without receiving them. */
const deadLetters = async (stack: LocalStack) => {
  const held = (await heldMessages(stack.emulators.sqsEndpoint, stack.emulators.dlqUrl)) as Array<
    HeldMessage & { messageAttributes?: Record<string, { StringValue?: string }> }
  >;
  return held.map((m) => ({ reason: m.messageAttributes?.reason?.StringValue, error: m.messageAttributes?.error?.StringValue }));
};

/** Log lines, as the Powertools logger prints them through the global console (POWERTOOLS_DEV). */
const captureLogs = (): string[] => {
  const lines: string[] = [];
  for (const method of ["debug", "info", "warn", "error", "log"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  }
  return lines;
};
const startFailures = (lines: readonly string[], receiver: string) =>
  lines.filter((l) => l.includes("receiver cannot start") && l.includes(`"receiver": "${receiver}"`));

const replay = async (stack: LocalStack, uid: string): Promise<void> => {
  await stack.relay.ship("ADDED", job(uid, "1", running));
  await stack.relay.ship("MODIFIED", job(uid, "2", complete));
  await stack.relay.flush();
};

describe("Receivers fail alone, through the local stack", () => {
  const hook = new FakeWebhook();
  let stack: LocalStack | undefined;
  let coldStart: LocalPoller | undefined;

  beforeAll(async () => {
    await hook.start();
  });
  afterEach(async () => {
    await coldStart?.stop();
    await stack?.stop();
    coldStart = undefined;
    stack = undefined;
    hook.reset();
    vi.restoreAllMocks();
    delete process.env.KF_TEST_VANISHING_SECRET;
  });
  afterAll(async () => {
    await hook.stop();
  });

  it("serves the healthy webhook in order while the one with an unset secret is retried, then dead-lettered with its reason", async () => {
    // Prepare
    delete process.env.KF_TEST_NEVER_SET;
    const logs = captureLogs();
    stack = await startLocalStack({ config: pointedAt(configWith("env:KF_TEST_NEVER_SET"), hook) });

    // Act
    await replay(stack, "job-alone-1");
    await eventually(async () => (await deadLetters(stack!)).length === 2, 30_000);
    await stack.poller.drained(50);

    // Assess
    expect(eventsTo(hook, "healthy", "job-alone-1")).toEqual(["created", "started", "progress", "progress", "finished"]);
    expect(hook.requests.filter((r) => r.path === "/hook/broken")).toEqual([]);
    const dead = await deadLetters(stack);
    expect(dead).toHaveLength(2);
    for (const letter of dead) {
      expect(letter.reason).toBe("max retries (2) reached");
      expect(letter.error).toContain("receiver broken: options.secret: environment variable KF_TEST_NEVER_SET is not set");
    }
    // Each message: the first receive and two retries.
    expect(stack.poller.stats.failures).toBe(4);
    // Reported once, by name and key, not once per retried message.
    expect(startFailures(logs, "broken")).toHaveLength(1);
    expect(startFailures(logs, "broken")[0]).toContain("options.secret");
    expect(startFailures(logs, "healthy")).toEqual([]);
  }, 60_000);

  it("keeps the healthy webhook going at the next cold start after the other's secret disappeared", async () => {
    // Prepare: both receivers start, and both are told about a first run.
    process.env.KF_TEST_VANISHING_SECRET = "a-signing-key-of-some-length";
    const logs = captureLogs();
    const config = pointedAt(configWith("env:KF_TEST_VANISHING_SECRET"), hook);
    stack = await startLocalStack({ config });
    await replay(stack, "job-before");
    await eventually(() => eventsTo(hook, "broken", "job-before").includes("finished"), 20_000);

    // Act: the secret is deleted, and a new instance of the function starts.
    delete process.env.KF_TEST_VANISHING_SECRET;
    await stack.poller.stop();
    const { queueUrl, queueArn } = stack.emulators;
    coldStart = new LocalPoller({ queueUrl, queueArn, handler: createHandler({ config }) }, () => {});
    coldStart.start();
    await replay(stack, "job-after");
    await eventually(async () => (await deadLetters(stack!)).length === 2, 30_000);

    // Assess
    expect(eventsTo(hook, "broken", "job-before")).toEqual(["created", "started", "progress", "progress", "finished"]);
    expect(eventsTo(hook, "healthy", "job-after")).toEqual(["created", "started", "progress", "progress", "finished"]);
    expect(eventsTo(hook, "broken", "job-after")).toEqual([]);
    const dead = await deadLetters(stack);
    expect(dead.every((d) => d.error?.includes("receiver broken: options.secret: environment variable KF_TEST_VANISHING_SECRET is not set"))).toBe(true);
    expect(startFailures(logs, "broken")).toHaveLength(1);
  }, 60_000);
});
