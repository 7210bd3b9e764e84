import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LifecycleEvent, PermanentReceiverError, type Receiver } from "../../shared/receivers";
import { retryAfterOf } from "../../shared/errors";
import { FakeMatrix, pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";

const TOKEN_VAR = "KF_TEST_MATRIX_TOKEN";

describe("Class: MatrixReceiver", () => {
  const matrix = new FakeMatrix();
  let receiver: Receiver;
  const options = () => ({ homeserverUrl: matrix.homeserverUrl, roomId: matrix.roomId, accessToken: `env:${TOKEN_VAR}` });

  beforeAll(async () => {
    await matrix.start();
    process.env[TOKEN_VAR] = matrix.token;
  });
  // A receiver per test: it remembers the message it keeps for a run.
  beforeEach(async () => {
    receiver = await startReceiver("matrix", options());
  });
  afterEach(() => {
    matrix.reset();
  });
  afterAll(async () => {
    delete process.env[TOKEN_VAR];
    await matrix.stop();
  });

  describe("Method: whenFinished", () => {
    it("PUTs an m.notice with a plain body and an HTML formatted_body, authorised by the bearer token", async () => {
      // Prepare
      const info = pipelineInfo({ message: "all <good>" });

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(matrix.requests).toHaveLength(1);
      const [request] = matrix.requests;
      expect(request!.method).toBe("PUT");
      expect(request!.path).toMatch(/^\/_matrix\/client\/v3\/rooms\/!ci%3Amatrix\.test\/send\/m\.room\.message\/kf-[0-9a-f]{32}$/);
      expect(request!.headers.authorization).toBe(`Bearer ${matrix.token}`);
      expect(matrix.messages).toHaveLength(1);
      const content = matrix.messages[0]!.content;
      expect(content.msgtype).toBe("m.notice");
      expect(content.format).toBe("org.matrix.custom.html");
      expect(content.body).toBe(
        [
          "✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s",
          "Duration: 2m 05s · Cluster: prod · Commit: acme/shop-api@3f78685 (main) https://github.com/acme/shop-api/commit/3f786850e387550fdab836ed7e6dc881de23001b",
          "- fetch: ✅ Succeeded · 12s",
          "- test: ✅ Succeeded · 1m 53s",
          "all <good>",
          info.dashboardUrl,
        ].join("\n"),
      );
      expect(content.formatted_body).toContain("<h4>✅ PipelineRun ci/build-7k2x9 succeeded in 2m 05s</h4>");
      expect(content.formatted_body).toContain("<li>✅ <b>fetch</b> Succeeded · 12s</li>");
      expect(content.formatted_body).toContain("<p><i>all &lt;good&gt;</i></p>");
      expect(content.formatted_body).toContain(`<a href="${info.dashboardUrl}">View run</a>`);
    });

    it("reuses the transaction id on a retry that remembers nothing (the first answer lost) so the homeserver stores one message", async () => {
      // Prepare: a second instance with memory of its own, as after an answer that never arrived.
      const again = await startReceiver("matrix", options());

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());
      await again.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(matrix.txnIds).toHaveLength(2);
      expect(matrix.txnIds[0]).toBe(matrix.txnIds[1]);
      expect(matrix.messages).toHaveLength(1);
    });

    it("uses a different transaction id per run, per callback and per progress state that changes the message", async () => {
      // Prepare
      const all = await startReceiver("matrix", { ...options(), events: ["started", "progress", "finished"] });
      const running = pipelineInfo({ phase: "running" });

      // Act
      await all.whenStarted(receiverContext(LifecycleEvent.Started), running);
      await all.updateProgress(receiverContext(LifecycleEvent.Progress), running);
      await all.updateProgress(receiverContext(LifecycleEvent.Progress), { ...running, stages: [{ name: "fetch", phase: "succeeded" }] });
      await all.whenFinished(receiverContext(), pipelineInfo());
      await all.whenFinished(receiverContext(), pipelineInfo({ uid: "another-run" }));

      // Assess: the first progress shows what started showed, so it sends nothing; the rest edit the run's message.
      expect(new Set(matrix.txnIds).size).toBe(4);
      expect(matrix.txnIds).toHaveLength(4);
      expect(matrix.messages).toHaveLength(4);
      expect(matrix.shown()).toHaveLength(2);
    });

    it("reads retry_after_ms from an M_LIMIT_EXCEEDED answer", async () => {
      // Prepare
      matrix.answerNext({ status: 429, body: { errcode: "M_LIMIT_EXCEEDED", error: "Too many requests", retry_after_ms: 2500 } });

      // Act
      const error = await receiver.whenFinished(receiverContext(), pipelineInfo()).catch((e: unknown) => e);

      // Assess
      expect(retryAfterOf(error)).toBe(3);
    });

    it("fails permanently with the server's errcode when the token is refused", async () => {
      // Prepare
      process.env.KF_TEST_MATRIX_WRONG = "syt_wrong";
      const wrong = await startReceiver("matrix", { ...options(), accessToken: "env:KF_TEST_MATRIX_WRONG" });

      // Act
      const error = (await wrong.whenFinished(receiverContext(), pipelineInfo()).catch((e: unknown) => e)) as Error;

      // Assess
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(error.message).toContain("answered 401");
      expect(error.message).toContain("M_UNKNOWN_TOKEN");
      expect(error.message).not.toContain("syt_wrong");
      expect(matrix.messages).toHaveLength(0);
    });
  });

  describe("Method: events", () => {
    it("posts only on whenFinished by default", async () => {
      // Act
      await runLifecycle(receiver);

      // Assess
      expect(matrix.messages).toHaveLength(1);
      expect(matrix.messages[0]!.content.body).toMatch(/^✅ PipelineRun ci\/build-7k2x9 succeeded/);
    });
  });
});
