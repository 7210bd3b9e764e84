import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import type { ListedMessage } from "../../cli/ops/dlq-list";
import { runOps, type OpsIo } from "../../cli/ops";
import { parseConfig } from "../../shared/config";
import { makeOperation, operationGroupId, serializeOperation, type Operation } from "../../shared/operations";

/** Runs an ops command in this process (the emulators live here) with `env` as its environment. */
const ops = async (env: NodeJS.ProcessEnv, ...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: OpsIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), env, isTTY: false };
  const code = await runOps(argv, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
};

const PATCH = makeOperation("ops", { op: "patchStatus", namespace: "ci", name: "build-1", uid: "uid-build-1", generation: 2, status: { isSynced: false } });
const RELIST = makeOperation("ops", { op: "relist" });

describe("Command: kube-feedback dlq --operations", () => {
  let stack: LocalStack;
  let sqs: SQSClient;

  /**
   * What SQS does once an operation was received `maxReceiveCount` times
   * (a relay whose RBAC lacks the patch): the same body, in the same group,
   * in the operations DLQ, with no attribute of ours.
   */
  const deadLetter = (operation: Operation, attempt: string) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.emulators.operationsDlqUrl,
        MessageBody: serializeOperation(operation),
        MessageGroupId: operationGroupId(operation),
        MessageDeduplicationId: `moved-${attempt}`,
      }),
    );

  beforeAll(async () => {
    const config = parseConfig({ cluster: "ops", watch: [{ group: "batch", version: "v1", resource: "jobs" }], receivers: [{ name: "console", type: "console" }] });
    stack = await startLocalStack({ config });
    sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  });

  afterAll(async () => {
    sqs?.destroy();
    await stack?.stop();
  });

  it("lists the operations a relay could not apply, by what they asked, and leaves the events' DLQ out of it", async () => {
    // Prepare
    await deadLetter(PATCH, "patch");
    await deadLetter(RELIST, "relist");

    // Act
    const table = await ops(process.env, "dlq", "list", "--operations");
    const json = await ops(process.env, "dlq", "list", "--operations", "--json");
    const events = await ops(process.env, "dlq", "list");

    // Assess
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/max receives reached \(moved by SQS\)\s+ops\s+patchStatus ci\/build-1\s/);
    expect(table.stdout).toMatch(/max receives reached \(moved by SQS\)\s+ops\s+relist all namespaces\s/);
    expect(table.stdout).toContain("2 messages");
    const listed = JSON.parse(json.stdout) as ListedMessage[];
    expect(listed.find((m) => m.object === "patchStatus ci/build-1")).toMatchObject({ cluster: "ops", uid: "uid-build-1", groupId: "ops/uid-build-1" });
    expect(listed.map((m) => m.object).sort()).toEqual(["patchStatus ci/build-1", "relist all namespaces"]);
    expect(events.stdout).toBe("the DLQ is empty\n");
  });

  it("redrives an operation to the operations queue, in its own group, and only the one asked for", async () => {
    // Prepare
    const listed = JSON.parse((await ops(process.env, "dlq", "list", "--operations", "--json")).stdout) as ListedMessage[];
    const patch = listed.find((m) => m.object === "patchStatus ci/build-1")!;

    // Act
    const redriven = await ops(process.env, "dlq", "redrive", "--operations", "--id", patch.id);

    // Assess
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toBe("redriven 1 message to kube-feedback-operations.fifo\n");
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.emulators.operationsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["MessageGroupId"] }),
    );
    expect(Messages.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([[serializeOperation(PATCH), "ops/uid-build-1"]]);
    const left = JSON.parse((await ops(process.env, "dlq", "list", "--operations", "--json")).stdout) as ListedMessage[];
    expect(left.map((m) => m.object)).toEqual(["relist all namespaces"]);
  });

  it("shows an operation this version cannot read by its op and the reason, and exits 2 naming the variable when no DLQ is set", async () => {
    // Prepare: an operation of a kind a later version might add.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.emulators.operationsDlqUrl,
        MessageBody: JSON.stringify({ v: 1, cluster: "ops", at: new Date().toISOString(), op: "rotateKeys", namespace: "ci" }),
        MessageGroupId: "ops/rotate",
        MessageDeduplicationId: "moved-rotate",
      }),
    );
    const { OPERATIONS_DLQ_URL: _unset, ...withoutDlq } = process.env;

    // Act
    const json = await ops(process.env, "dlq", "list", "--operations", "--json");
    const unset = await ops(withoutDlq, "dlq", "list", "--operations");

    // Assess
    const rotate = (JSON.parse(json.stdout) as ListedMessage[]).find((m) => m.groupId === "ops/rotate")!;
    expect(rotate.object).toMatch(/^rotateKeys \(invalid: op: .+\)$/);
    expect(rotate.cluster).toBe("ops");
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("--dlq-url: the operations dead-letter queue URL is not set (pass --dlq-url or set OPERATIONS_DLQ_URL)");
  });
});
