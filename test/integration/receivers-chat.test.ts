import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PermanentReceiverError, ReceiverError, type Receiver } from "../../shared/receivers";
import { Disposition, dispositionOf, retryAfterOf } from "../../shared/errors";
import {
  FakeDiscord,
  FakeMatrix,
  FakeSlack,
  FakeTeams,
  pipelineInfo,
  receiverContext,
  runLifecycle,
  startReceiver,
  type FakeHttpServer,
} from "../helpers/fake-chat";

interface ChatCase {
  className: string;
  type: string;
  fake: () => FakeHttpServer;
  /** The option holding the secret reference, and the secret the fake expects. */
  secretOption: string;
  secret: (fake: FakeHttpServer) => string;
  options: (fake: FakeHttpServer) => Record<string, unknown>;
  /**
   * Requests that write for a run's four callbacks: one each, or one fewer
   * for a receiver that keeps one message per run, as the progress callback
   * would show what started already shows (Matrix's reads of the message
   * before an edit are not counted).
   */
  writesPerLifecycle: number;
}

const VAR = "KF_TEST_CHAT_SECRET";

const cases: ChatCase[] = [
  { className: "SlackReceiver", type: "slack", fake: () => new FakeSlack(), secretOption: "url", secret: (f) => (f as FakeSlack).webhookUrl, options: () => ({}), writesPerLifecycle: 4 },
  { className: "TeamsReceiver", type: "teams", fake: () => new FakeTeams(), secretOption: "url", secret: (f) => (f as FakeTeams).webhookUrl, options: () => ({}), writesPerLifecycle: 4 },
  { className: "DiscordReceiver", type: "discord", fake: () => new FakeDiscord(), secretOption: "url", secret: (f) => (f as FakeDiscord).webhookUrl, options: () => ({}), writesPerLifecycle: 3 },
  {
    className: "MatrixReceiver",
    type: "matrix",
    fake: () => new FakeMatrix(),
    secretOption: "accessToken",
    secret: (f) => (f as FakeMatrix).token,
    options: (f) => ({ homeserverUrl: (f as FakeMatrix).homeserverUrl, roomId: (f as FakeMatrix).roomId }),
    writesPerLifecycle: 3,
  },
];

const failure = (receiver: Receiver): Promise<Error> =>
  receiver.whenFinished(receiverContext(), pipelineInfo()).then(
    () => {
      throw new Error("expected the post to fail");
    },
    (error: unknown) => error as Error,
  );

describe.each(cases)("Class: $className", ({ type, fake: makeFake, secretOption, secret, options, writesPerLifecycle }) => {
  const fake = makeFake();
  let receiver: Receiver;
  let host: string;
  const start = (extra: Record<string, unknown> = {}, name = type) =>
    startReceiver(type, { ...options(fake), [secretOption]: `env:${VAR}`, ...extra }, name);

  beforeAll(async () => {
    await fake.start();
    host = new URL(fake.baseUrl).host;
    process.env[VAR] = secret(fake);
  });
  // A receiver per test: those that keep one message per run remember it between calls.
  beforeEach(async () => {
    receiver = await start();
  });
  afterEach(() => {
    process.env[VAR] = secret(fake);
    fake.reset();
  });
  afterAll(async () => {
    delete process.env[VAR];
    await fake.stop();
  });

  describe("Method: events", () => {
    it("posts only on whenFinished by default", async () => {
      // Act
      await runLifecycle(receiver);

      // Assess
      expect(fake.requests).toHaveLength(1);
    });

    it("posts on every callback listed in events", async () => {
      // Prepare
      const chatty = await start({ events: ["created", "started", "progress", "finished"] });

      // Act
      await runLifecycle(chatty);

      // Assess
      expect(fake.requests.filter((r) => r.method !== "GET")).toHaveLength(writesPerLifecycle);
    });
  });

  describe("Method: whenFinished", () => {
    it("throws a retry after the delay on 429 with Retry-After", async () => {
      // Prepare
      fake.answerNext({ status: 429, headers: { "retry-after": "7" }, body: "rate limited" });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(dispositionOf(error).disposition).toBe(Disposition.Retry);
      expect(retryAfterOf(error)).toBe(7);
    });

    it("throws a retryable error on 500", async () => {
      // Prepare
      fake.answerNext({ status: 500, body: "internal error" });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(error).toBeInstanceOf(ReceiverError);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(error.message).toContain(`${type} ${host} answered 500`);
    });

    it("throws a PermanentReceiverError naming the host and status on 400", async () => {
      // Prepare
      fake.answerNext({ status: 400, body: "invalid_payload" });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(error).toBeInstanceOf(PermanentReceiverError);
      expect(dispositionOf(error).disposition).toBe(Disposition.Permanent);
      expect(error.message).toContain(`${type} ${host} answered 400`);
    });

    it("never puts the secret in an error message", async () => {
      // Prepare
      fake.answerNext({ status: 403, body: "forbidden" });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(error.message).not.toContain(secret(fake).replace(/^http:\/\/[^/]+/, ""));
    });
  });

  describe("Method: initialize", () => {
    it("fails naming the receiver, the option and the variable when the variable is unset", async () => {
      // Prepare
      delete process.env[VAR];

      // Act
      const attempt = start({}, "team-chat");

      // Assess
      await expect(attempt).rejects.toThrow(`receiver team-chat: options.${secretOption}: environment variable ${VAR} is not set`);
      expect(fake.requests).toHaveLength(0);
    });
  });
});

describe("Class: SlackReceiver", () => {
  describe("Method: initialize", () => {
    it("rejects a secret that is not a URL without repeating it", async () => {
      // Prepare
      process.env.KF_TEST_NOT_A_URL = "xoxb-not-a-webhook-url";

      // Act
      const attempt = startReceiver("slack", { url: "env:KF_TEST_NOT_A_URL" }, "alerts");

      // Assess
      await expect(attempt).rejects.toThrow("receiver alerts: options.url: the secret it points at is not an http(s) URL");
      await attempt.catch((error: Error) => expect(error.message).not.toContain("xoxb"));
    });
  });

  describe("Method: whenFinished", () => {
    it("throws a retryable error naming the host when nothing listens", async () => {
      // Prepare
      const gone = await new FakeSlack().start();
      process.env.KF_TEST_GONE_URL = gone.webhookUrl;
      await gone.stop();
      const receiver = await startReceiver("slack", { url: "env:KF_TEST_GONE_URL" });

      // Act
      const error = await failure(receiver);

      // Assess
      expect(error).toBeInstanceOf(ReceiverError);
      expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, backsOff: true });
      expect(error.message).toContain(`slack ${new URL(gone.webhookUrl).host} could not be reached`);
    });
  });
});
