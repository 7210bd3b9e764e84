import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../shared/config";
import { CHAT_RATE_DEFAULTS, ReceiverThrottledError, type Receiver } from "../../shared/receivers";
import { retryAfterOf } from "../../shared/errors";
import { FakeDiscord, FakeMatrix, FakeSlack, FakeTeams, pipelineInfo, receiverContext, startReceiver, type FakeHttpServer } from "../helpers/fake-chat";

const START = Date.parse("2026-11-20T10:00:00Z");
const matrix = new FakeMatrix();

/** Each chat receiver with its fake service and the options that point it there. */
const services: { type: keyof typeof CHAT_RATE_DEFAULTS; server: FakeHttpServer; options: () => Record<string, unknown> }[] = [
  { type: "slack", server: new FakeSlack(), options: () => ({ url: "env:KF_RATE_SLACK" }) },
  { type: "discord", server: new FakeDiscord(), options: () => ({ url: "env:KF_RATE_DISCORD" }) },
  { type: "teams", server: new FakeTeams(), options: () => ({ url: "env:KF_RATE_TEAMS" }) },
  { type: "matrix", server: matrix, options: () => ({ homeserverUrl: matrix.homeserverUrl, roomId: matrix.roomId, accessToken: "env:KF_RATE_MATRIX" }) },
];

/** Posts the finished run `uid`; resolves to the error, if any. */
const post = (receiver: Receiver, uid: string): Promise<unknown> =>
  receiver.whenFinished(receiverContext(), pipelineInfo({ uid, id: `prod/ci/${uid}` })).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("Option: rateLimit of the chat receivers", () => {
  beforeAll(async () => {
    for (const { server } of services) await server.start();
    process.env.KF_RATE_SLACK = (services[0]!.server as FakeSlack).webhookUrl;
    process.env.KF_RATE_DISCORD = (services[1]!.server as FakeDiscord).webhookUrl;
    process.env.KF_RATE_TEAMS = (services[2]!.server as FakeTeams).webhookUrl;
    process.env.KF_RATE_MATRIX = matrix.token;
  });
  afterEach(() => {
    vi.useRealTimers();
    for (const { server } of services) server.reset();
  });
  afterAll(async () => {
    for (const { server } of services) await server.stop();
  });

  it.each(services)("delays the post beyond $type's perMinute until the window has room, and drops none", async ({ type, server, options }) => {
    // Prepare: only Date is faked, so the fake servers answer as usual.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(START);
    const receiver = await startReceiver(type, { ...options(), rateLimit: { perMinute: 3 } });

    // Act: four runs finish within the same minute.
    const outcomes: unknown[] = [];
    for (const [i, uid] of ["run-1", "run-2", "run-3", "run-4"].entries()) {
      vi.setSystemTime(START + i * 10_000);
      outcomes.push(await post(receiver, uid));
    }
    const sentInWindow = server.requests.length;
    vi.setSystemTime(START + 30_000 + 29_000);
    const stillEarly = await post(receiver, "run-4");
    vi.setSystemTime(START + 60_000);
    const retried = await post(receiver, "run-4");

    // Assess
    expect(outcomes.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(outcomes[3]).toBeInstanceOf(ReceiverThrottledError);
    // Posted at 0 s, 10 s and 20 s: the fourth, at 30 s, waits for the first to leave the window.
    expect(retryAfterOf(outcomes[3])).toBe(30);
    expect(outcomes[3]).toMatchObject({ receiver: type, perMinute: 3 });
    expect(sentInWindow).toBe(3);
    expect(retryAfterOf(stillEarly)).toBe(1);
    expect(retried).toBeUndefined();
    expect(server.requests).toHaveLength(4);
  });

  it.each(services)("keeps $type to its documented default when rateLimit is not set", async ({ type, server, options }) => {
    // Prepare
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(START);
    const receiver = await startReceiver(type, options());
    const limit = CHAT_RATE_DEFAULTS[type];

    // Act
    for (let i = 0; i < limit; i++) expect(await post(receiver, `run-${i}`)).toBeUndefined();
    const over = await post(receiver, "one-too-many");

    // Assess
    expect(over).toBeInstanceOf(ReceiverThrottledError);
    expect(retryAfterOf(over)).toBe(60);
    expect(server.requests).toHaveLength(limit);
  });

  it.each([
    { name: "a misspelt key", rateLimit: { perMinutes: 5 }, message: "receivers[0].options.rateLimit.perMinutes: unknown key" },
    { name: "an unknown key", rateLimit: { perMinute: 5, burst: 2 }, message: "receivers[0].options.rateLimit.burst: unknown key" },
    { name: "a fraction", rateLimit: { perMinute: 0.5 }, message: "receivers[0].options.rateLimit.perMinute: must be a whole number" },
  ])("refuses $name in rateLimit at start, naming its path", async ({ rateLimit, message }) => {
    // Act
    const error = await startReceiver("slack", { url: "env:KF_RATE_SLACK", rateLimit }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`invalid config: ${message}`);
  });
});
