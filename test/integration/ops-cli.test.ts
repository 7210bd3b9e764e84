import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readRecording } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import type { ListedMessage } from "../../cli/ops/dlq-list";
import { runOps, type OpsIo } from "../../cli/ops";
import type { RunSummary } from "../../cli/ops/status";
import { parseConfig } from "../../shared/config";
import type { KubeObject } from "../../shared/envelope";
import type { Route } from "../../shared/process/dispatch";
import { LifecycleEvent } from "../../shared/receivers";
import { EventStatus, newEventProcessStatus, type Handler, type HandlerContext, type StatusChannel } from "../../shared/status";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { advance, emptyRunState } from "../../shared/pipeline/lifecycle";
import { toPipelineInfo } from "../../shared/pipeline/info";
import { normalise } from "../../shared/pipeline/normalise";
import { runRecord } from "../../shared/pipeline/run-record";
import { DynamoStateStore, StoreKey } from "../../shared/store";
import { RecordingReceiver } from "../helpers/recording-receiver";

/** A Job whose run item the status test writes with claims of its own: an upstream Job (test/fixtures/upstream/jobs) as it ran. */
const upstreamJob = parse(readFileSync(new URL("../fixtures/upstream/jobs/job-successcriteriamet-complete.yaml", import.meta.url), "utf8")) as KubeObject;
const LEASED_JOB: KubeObject = { ...upstreamJob, status: { startTime: (upstreamJob.status as { startTime: string }).startTime, active: 1 } };

/** A handler for a kind of our own whose upstream refuses everything until it is "fixed". */
class WidgetHandler implements Handler {
  readonly name = "widget";
  broken = true;
  readonly completed: string[] = [];

  added(_ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    return this.#answer(obj, ch);
  }
  updated(_ctx: HandlerContext, obj: KubeObject, _old: KubeObject | undefined, ch: StatusChannel): Promise<void> {
    return this.#answer(obj, ch);
  }
  deleted(_ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    return this.#answer(obj, ch);
  }
  async onStatus(): Promise<void> {}

  #answer(obj: KubeObject, ch: StatusChannel): Promise<void> {
    if (this.broken) {
      return newEventProcessStatus()
        .withStatus(EventStatus.Failure)
        .withMessage("reason", "widget rejected upstream")
        .withError(new Error("upstream answered 422: spec.size must be even"))
        .sendClose(ch);
    }
    this.completed.push(obj.metadata.name);
    return newEventProcessStatus().withStatus(EventStatus.Completed).sendClose(ch);
  }
}

const widget = (name: string): KubeObject => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name, namespace: "ci", uid: `uid-${name}`, resourceVersion: "1" },
});

/** Runs an ops command in this process (the emulators live here) and keeps what it printed. */
const ops = async (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: OpsIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), env: process.env, isTTY: false };
  const code = await runOps(argv, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
};

const RECORDINGS = ["tekton-pipelinerun.ndjson", "job.ndjson"].map((name) =>
  fileURLToPath(new URL(`../../recordings/${name}`, import.meta.url)),
);

describe("Command: kube-feedback status and dlq", () => {
  let stack: LocalStack;
  const widgets = new WidgetHandler();
  const recorder = new RecordingReceiver("recorder");
  const flaky = new RecordingReceiver("flaky").failNext(LifecycleEvent.Started, 1);

  beforeAll(async () => {
    const config = parseConfig({
      cluster: "ops",
      watch: [{ group: "batch", version: "v1", resource: "jobs" }],
      receivers: [
        { name: "recorder", type: "console" },
        { name: "flaky", type: "console" },
      ],
      processing: { backoff: { baseSeconds: 1, capSeconds: 1 } },
    });
    const route: Route = { matches: (_apiVersion, kind) => kind === "Widget", handler: widgets };
    stack = await startLocalStack({
      config,
      process: {
        routes: [route],
        receivers: [
          { receiver: recorder, entry: config.receivers[0]! },
          { receiver: flaky, entry: config.receivers[1]! },
        ],
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe("Subcommand: dlq list", () => {
    it("shows poisoned messages with their reason, object and last error, and leaves them in the DLQ", async () => {
      // Prepare: one event the handler refuses, one body that is not an envelope at all.
      await stack.relay.ship("ADDED", widget("gizmo-1"));
      await stack.relay.flush();
      const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.emulators.queueUrl,
          MessageBody: "not an envelope",
          MessageGroupId: "ops/garbage",
          MessageDeduplicationId: "garbage-1",
        }),
      );
      sqs.destroy();
      await stack.poller.drained(25);

      // Act
      const table = await ops("dlq", "list");
      const json = await ops("dlq", "list", "--json");

      // Assess
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/widget rejected upstream\s+ops\s+Widget ci\/gizmo-1\s+\d+s\s+1\s+upstream answered 422: spec.size must be even/);
      expect(table.stdout).toMatch(/invalid envelope\s+-\s+-/);
      expect(table.stdout).toContain("2 messages");
      const listed = JSON.parse(json.stdout) as ListedMessage[];
      expect(listed.map((m) => m.reason).sort()).toEqual(["invalid envelope", "widget rejected upstream"]);
      const gizmo = listed.find((m) => m.object === "Widget ci/gizmo-1")!;
      expect(gizmo).toMatchObject({ status: "Failure", cluster: "ops", uid: "uid-gizmo-1", groupId: "ops/uid-gizmo-1", receiveCount: "1" });
      expect(widgets.completed).toEqual([]);
    });
  });

  describe("Subcommand: dlq redrive", () => {
    it("moves the chosen message back once the cause is fixed, and it is processed", async () => {
      // Prepare
      const listed = JSON.parse((await ops("dlq", "list", "--json")).stdout) as ListedMessage[];
      const gizmo = listed.find((m) => m.object === "Widget ci/gizmo-1")!;
      widgets.broken = false;

      // Act
      const redrive = await ops("dlq", "redrive", "--id", gizmo.id);
      await stack.poller.drained(25);

      // Assess
      expect(redrive.code).toBe(0);
      expect(redrive.stderr).toBe("redriven 1/1\n");
      expect(redrive.stdout).toBe("redriven 1 message to kube-feedback-events.fifo\n");
      expect(widgets.completed).toEqual(["gizmo-1"]);
      const left = JSON.parse((await ops("dlq", "list", "--json")).stdout) as ListedMessage[];
      expect(left.map((m) => m.reason)).toEqual(["invalid envelope"]);
    });

    it("exits 1 naming the ids it could not find, and moves nothing", async () => {
      // Act
      const redrive = await ops("dlq", "redrive", "--id", "no-such-message");

      // Assess
      expect(redrive.code).toBe(1);
      expect(redrive.stderr).toContain("not found in the DLQ: no-such-message");
      expect(redrive.stdout).toBe("redriven 0 messages to kube-feedback-events.fifo\n");
      const left = JSON.parse((await ops("dlq", "list", "--json")).stdout) as ListedMessage[];
      expect(left).toHaveLength(1);
    });

    it("redrives everything when no id is given, and an unfixable message comes back to the DLQ", async () => {
      // Prepare
      const [before] = JSON.parse((await ops("dlq", "list", "--json")).stdout) as ListedMessage[];

      // Act
      const redrive = await ops("dlq", "redrive");
      await stack.poller.drained(25);

      // Assess
      expect(redrive.code).toBe(0);
      // Whether it failed again before the command ended depends on timing; it is never sent twice.
      expect(redrive.stderr).toMatch(/^redriven 1\/1\n/);
      expect(redrive.stdout).toBe("redriven 1 message to kube-feedback-events.fifo\n");
      const left = JSON.parse((await ops("dlq", "list", "--json")).stdout) as ListedMessage[];
      expect(left.map((m) => m.reason)).toEqual(["invalid envelope"]);
      // It went through the main queue again as a new message and failed the same way.
      expect(left[0]!.id).not.toBe(before!.id);
    });

    it("never sends a message twice in one run, even when it is back in the DLQ before the run ends", async () => {
      // Act: the DLQ as the target, so every message sent is back at once.
      const redrive = await ops("dlq", "redrive", "--queue-url", stack.emulators.dlqUrl);

      // Assess
      expect(redrive.code).toBe(0);
      expect(redrive.stderr).toBe("redriven 1/1\n1 redriven message failed again and is back in the DLQ\n");
      const left = JSON.parse((await ops("dlq", "list", "--json")).stdout) as ListedMessage[];
      expect(left).toHaveLength(1);
    });
  });

  describe("Subcommand: status", () => {
    it("lists the replayed runs, newest first, with each receiver's deliveries and last error", async () => {
      // Prepare
      for (const file of RECORDINGS) {
        for (const { type, object } of readRecording(file)) {
          await stack.relay.ship(type, object);
          await stack.relay.flush();
          await stack.poller.drained(25);
        }
      }

      // Act
      const table = await ops("status");
      const json = await ops("status", "--json");

      // Assess
      expect(table.code).toBe(0);
      const runs = JSON.parse(json.stdout) as RunSummary[];
      expect(runs.map((r) => r.id)).toEqual(["ops/ci/db-migrate-28871", "ops/ci/build-and-test-x7k2p"]);
      for (const run of runs) {
        const progress = recorder.calls.filter((c) => c.run === run.id && c.event === LifecycleEvent.Progress).length;
        expect(run.receivers.recorder).toEqual({ created: "done", started: "done", finished: "done", progress });
        expect(run.receivers.flaky).toMatchObject({ created: "done", started: "done", finished: "done", progress });
      }
      expect(runs[1]!.receivers.flaky!.lastError).toBe("flaky refused started");
      expect(runs[0]!.receivers.flaky!.lastError).toBeUndefined();
      expect(table.stdout).toMatch(/ops\/ci\/build-and-test-x7k2p\s+PipelineRun\s+succeeded\s+\d+s ago\s+flaky\s+✓\s+✓\s+✓\s+\d+\s+flaky refused started/);
      expect(table.stdout).toMatch(/\n\s+recorder\s+✓\s+✓\s+✓\s+\d+\s+-\n/);
      expect(table.stdout).toContain("2 of 2 runs");
    });

    it("filters by cluster, namespace and age", async () => {
      // Act
      const recent = JSON.parse((await ops("status", "--json", "--since", "1h", "--namespace", "ci", "--cluster", "ops")).stdout) as RunSummary[];
      const otherCluster = await ops("status", "--cluster", "elsewhere");
      const otherNamespace = JSON.parse((await ops("status", "--json", "--namespace", "prod")).stdout) as RunSummary[];
      const limited = JSON.parse((await ops("status", "--json", "--limit", "1")).stdout) as RunSummary[];

      // Assess
      expect(recent).toHaveLength(2);
      expect(otherCluster.stdout).toBe("no runs found\n");
      expect(otherNamespace).toEqual([]);
      expect(limited.map((r) => r.id)).toEqual(["ops/ci/db-migrate-28871"]);
    });

    it("tells a claim in flight from one whose lease ended", async () => {
      // Prepare: a run in another cluster whose `created` is claimed by a call in flight and `started` by one whose lease ended
      const info = toPipelineInfo("leases", normalise(LEASED_JOB), {});
      const state = advance(emptyRunState(), info).state;
      const deliveries = { recorder: { created: { s: "claimed" as const, exp: Date.now() + 600_000 }, started: { s: "claimed" as const, exp: 0 } } };
      const client = new DynamoDBClient({ endpoint: stack.emulators.dynamoEndpoint });
      try {
        await new DynamoStateStore({ tableName: stack.emulators.tableName, client }).put(
          StoreKey.object("leases", LEASED_JOB.metadata.uid),
          runRecord({ ...state, deliveries }, new Date().toISOString()),
          undefined,
          3_600,
        );
      } finally {
        client.destroy();
      }

      // Act
      const json = JSON.parse((await ops("status", "--json", "--cluster", "leases")).stdout) as RunSummary[];
      const table = await ops("status", "--cluster", "leases");

      // Assess
      expect(json[0]!.receivers.recorder).toMatchObject({ created: "claimed", started: "expired", finished: "open" });
      expect(table.stdout).toMatch(/recorder\s+…\s+↻\s+·/);
    });

    it("exits 2 naming the flag when a duration or the table is wrong", async () => {
      // Act
      const badSince = await ops("status", "--since", "yesterday");
      const noTable = await ops("status", "--table", "");

      // Assess
      expect(badSince.code).toBe(2);
      expect(badSince.stderr).toContain('--since: "yesterday" is not a duration such as 30m, 1h or 2d');
      expect(noTable.code).toBe(2);
      expect(noTable.stderr).toContain("--table: the state table is not set (pass --table or set TABLE_NAME)");
    });
  });
});
