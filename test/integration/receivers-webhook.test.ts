import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LifecycleEvent, PermanentReceiverError, ReceiverError, type Receiver } from "../../shared/receivers";
import { Disposition, dispositionOf, retryAfterOf } from "../../shared/errors";
import { FakeWebhook, pipelineInfo, receiverContext, runLifecycle, startReceiver } from "../helpers/fake-chat";

const SECRET_VAR = "KF_TEST_WEBHOOK_SECRET";
const SECRET = "correct horse battery staple";

const webhook = (options: Record<string, unknown>): Promise<Receiver> => startReceiver("webhook", options, "hook");

const failure = async (receiver: Receiver): Promise<Error> => {
  const error = await receiver.whenFinished(receiverContext(), pipelineInfo()).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error("expected the post to fail");
  return error;
};

describe("Class: WebhookReceiver", () => {
  const server = new FakeWebhook();
  let host: string;

  beforeAll(async () => {
    await server.start();
    host = new URL(server.url).host;
    process.env[SECRET_VAR] = SECRET;
  });
  afterEach(() => {
    server.reset();
  });
  afterAll(async () => {
    delete process.env[SECRET_VAR];
    await server.stop();
  });

  describe("Method: whenFinished", () => {
    it("posts { event, pipeline } as JSON signed with HMAC-SHA256 of the exact body when a secret is set", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url, secret: `env:${SECRET_VAR}`, headers: { "X-Team": "platform" } });
      const info = pipelineInfo();

      // Act
      await receiver.whenFinished(receiverContext(), info);

      // Assess
      expect(server.requests).toHaveLength(1);
      const [request] = server.requests;
      expect(request!.method).toBe("POST");
      expect(request!.headers["content-type"]).toBe("application/json");
      expect(request!.json).toEqual({ event: "finished", pipeline: info });
      const expected = `sha256=${createHmac("sha256", SECRET).update(request!.body).digest("hex")}`;
      expect(request!.headers["x-feedback-signature-256"]).toBe(expected);
      expect(request!.headers["x-team"]).toBe("platform");
      expect(request!.headers["x-feedback-event"]).toBe("finished");
      expect(request!.headers["x-feedback-delivery"]).toMatch(/^[0-9a-f]{32}$/);
    });

    it("sends no signature header when no secret is configured", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]!.headers["x-feedback-signature-256"]).toBeUndefined();
    });

    it("sends the same delivery id when the same callback is retried", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url });
      server.answerNext({ status: 502 });

      // Act
      await expect(receiver.whenFinished(receiverContext(), pipelineInfo())).rejects.toThrow(ReceiverError);
      await receiver.whenFinished(receiverContext(), pipelineInfo());

      // Assess
      const ids = server.requests.map((r) => r.headers["x-feedback-delivery"]);
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(ids[1]);
    });

    it("throws a retry carrying the delay when the endpoint answers 429 with Retry-After", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url });
      server.answerNext({ status: 429, headers: { "retry-after": "30" }, body: "slow down" });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Retry);
      expect(retryAfterOf(error)).toBe(30);
      expect(error.message).toContain(host);
      expect(error.message).toContain("429");
    });

    it("reads a 503's Retry-After given as an HTTP date", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url });
      const at = new Date(Date.now() + 120_000).toUTCString();
      server.answerNext({ status: 503, headers: { "retry-after": at } });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(retryAfterOf(error)).toBeGreaterThanOrEqual(100);
      expect(retryAfterOf(error)).toBeLessThanOrEqual(121);
    });

    it("throws a retryable error without a hint on 500", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url });
      server.answerNext({ status: 500, body: "boom" });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(error).toBeInstanceOf(ReceiverError);
      expect(error).not.toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(retryAfterOf(error)).toBeUndefined();
      expect(error.message).toBe(`webhook ${host} answered 500: boom`);
    });

    it("throws a PermanentReceiverError naming the host and status on 400", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url });
      server.answerNext({ status: 400, body: { error: "unknown field" } });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toContain(`webhook ${host} answered 400`);
      expect(error.message).toContain("unknown field");
    });

    it("throws a retryable error naming the host when nothing listens", async () => {
      // Prepare
      const gone = await new FakeWebhook().start();
      const url = gone.url;
      await gone.stop();
      const receiver = await webhook({ url });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(error).toBeInstanceOf(ReceiverError);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(error.message).toMatch(new RegExp(`^webhook ${new URL(url).host} could not be reached: .*ECONNREFUSED`));
    });
  });

  describe("Method: events", () => {
    it("posts on all four callbacks by default", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url });

      // Act
      await runLifecycle(receiver);

      // Assess
      expect(server.requests.map((r) => (r.json as { event: string }).event)).toEqual(["created", "started", "progress", "finished"]);
    });

    it("posts only the callbacks listed in events", async () => {
      // Prepare
      const receiver = await webhook({ url: server.url, events: [LifecycleEvent.Started, LifecycleEvent.Finished] });

      // Act
      await runLifecycle(receiver);

      // Assess
      expect(server.requests.map((r) => (r.json as { event: string }).event)).toEqual(["started", "finished"]);
    });
  });

  describe("Method: initialize", () => {
    it("fails naming the receiver, the option and the variable when the secret's variable is unset", async () => {
      // Prepare
      delete process.env.KF_TEST_UNSET_SECRET;

      // Act
      const attempt = webhook({ url: server.url, secret: "env:KF_TEST_UNSET_SECRET" });

      // Assess
      await expect(attempt).rejects.toThrow("receiver hook: options.secret: environment variable KF_TEST_UNSET_SECRET is not set");
      expect(server.requests).toHaveLength(0);
    });
  });
});
