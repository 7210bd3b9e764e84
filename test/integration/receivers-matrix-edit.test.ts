import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Disposition, dispositionOf, retryAfterOf } from "../../shared/errors";
import { LifecycleEvent, type Receiver } from "../../shared/receivers";
import { FakeMatrix, pipelineInfo, receiverContext, startReceiver } from "../helpers/fake-chat";

const TOKEN_VAR = "KF_TEST_MATRIX_EDIT_TOKEN";
const ALL = ["created", "started", "progress", "finished"];

describe("Class: MatrixReceiver (one message per run)", () => {
  const matrix = new FakeMatrix();
  let receiver: Receiver;
  const info = pipelineInfo();
  const created = { ...info, phase: "pending" as const, stages: [], startedAt: undefined, finishedAt: undefined };
  const started = { ...info, phase: "running" as const, stages: [{ name: "fetch", phase: "running" as const }], finishedAt: undefined };

  beforeAll(async () => {
    await matrix.start();
    process.env[TOKEN_VAR] = matrix.token;
  });
  beforeEach(async () => {
    receiver = await startReceiver("matrix", { homeserverUrl: matrix.homeserverUrl, roomId: matrix.roomId, accessToken: `env:${TOKEN_VAR}`, events: ALL });
  });
  afterEach(() => {
    matrix.reset();
  });
  afterAll(async () => {
    delete process.env[TOKEN_VAR];
    await matrix.stop();
  });

  const sends = () => matrix.requests.filter((r) => r.method === "PUT");
  const reads = () => matrix.requests.filter((r) => r.method === "GET");

  it("sends the message once and replaces its content with m.replace edits as the run moves", async () => {
    // Act
    await receiver.whenCreated(receiverContext(LifecycleEvent.Created), created);
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    await receiver.whenFinished(receiverContext(), info);

    // Assess
    expect(sends()).toHaveLength(3);
    expect(matrix.shown()).toHaveLength(1);
    const [original, ...edits] = matrix.messages;
    expect(original!.content["m.relates_to"]).toBeUndefined();
    for (const edit of edits) {
      expect(edit.content["m.relates_to"]).toEqual({ rel_type: "m.replace", event_id: original!.eventId });
      expect(edit.content.body).toBe(`* ${(edit.content["m.new_content"] as { body: string }).body}`);
    }
    const shown = matrix.shown()[0]!;
    expect(shown.eventId).toBe(original!.eventId);
    expect(shown.content.body).toMatch(/^✅ PipelineRun ci\/build-7k2x9 succeeded in 2m 05s\n/);
    expect(shown.content).toMatchObject({ msgtype: "m.notice", format: "org.matrix.custom.html" });
    // The original is read before each edit, to notice a redaction.
    expect(reads().map((r) => r.path)).toEqual([0, 1].map(() => `/_matrix/client/v3/rooms/!ci%3Amatrix.test/event/${encodeURIComponent(original!.eventId)}`));
  });

  it("sends nothing for a redelivered callback: the message already shows it", async () => {
    // Act
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);

    // Assess
    expect(matrix.requests).toHaveLength(1);
    expect(matrix.messages).toHaveLength(1);
  });

  it("sends the message anew when someone redacted it, and edits the new one after", async () => {
    // Prepare
    await receiver.whenCreated(receiverContext(LifecycleEvent.Created), created);
    const first = matrix.messages[0]!.eventId;
    matrix.redact(first);

    // Act
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    await receiver.whenFinished(receiverContext(), info);

    // Assess
    expect(matrix.requests.map((r) => r.method)).toEqual(["PUT", "GET", "PUT", "GET", "PUT"]);
    const [shown] = matrix.shown();
    expect(matrix.shown()).toHaveLength(1);
    expect(shown!.eventId).not.toBe(first);
    expect(shown!.content.body).toMatch(/succeeded/);
    expect(new Set(matrix.txnIds).size).toBe(3);
  });

  it("sends the message anew when the homeserver no longer has it (404 M_NOT_FOUND)", async () => {
    // Prepare
    await receiver.whenCreated(receiverContext(LifecycleEvent.Created), created);
    matrix.reset();

    // Act
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);

    // Assess
    expect(matrix.requests.map((r) => r.method)).toEqual(["GET", "PUT"]);
    expect(matrix.shown()).toHaveLength(1);
    expect(matrix.messages[0]!.content["m.relates_to"]).toBeUndefined();
  });

  it("fails an edit refused with M_LIMIT_EXCEEDED with the wait the homeserver named, and the retry edits the same message", async () => {
    // Prepare: the read before the edit passes, the edit itself is refused.
    await receiver.whenStarted(receiverContext(LifecycleEvent.Started), started);
    const original = matrix.messages[0]!.eventId;
    matrix.answerNext({ status: 200, body: { event_id: original, type: "m.room.message", content: { msgtype: "m.notice", body: "running" }, unsigned: {} } });
    matrix.answerNext({ status: 429, body: { errcode: "M_LIMIT_EXCEEDED", error: "Too many requests", retry_after_ms: 1500 } });

    // Act
    const error = await receiver.whenFinished(receiverContext(), info).catch((e: unknown) => e);
    await receiver.whenFinished(receiverContext(), info);

    // Assess
    expect(dispositionOf(error).disposition).toBe(Disposition.Retry);
    expect(retryAfterOf(error)).toBe(2);
    expect(matrix.requests.map((r) => r.method)).toEqual(["PUT", "GET", "PUT", "GET", "PUT"]);
    expect(matrix.shown()).toHaveLength(1);
    expect(matrix.shown()[0]!.eventId).toBe(original);
    expect(matrix.shown()[0]!.content.body).toMatch(/succeeded/);
  });
});
