import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEnvelope } from "../../../shared/envelope";
import { Disposition, dispositionOf } from "../../../shared/errors";
import { GitHubProvider } from "../../../shared/scm/providers";
import { WebhookSink } from "../../../relay/sinks/webhook";
import { FakeWebhook, pipelineInfo, receiverContext, startReceiver } from "../../helpers/fake-chat";
import { startFakeGitHub, type FakeGitHubServer } from "../../helpers/fake-scm";
import { pipelineRun } from "../relay/doubles";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";

/**
 * The SCM providers, the receivers and the relay's ingest sink read a failed
 * answer through the one classifier (shared/http/classify.ts): the same
 * answer means the same wait, whichever of them got it.
 */
describe("Function: classifyHttp (through its clients)", () => {
  let github: FakeGitHubServer;
  let endpoint: FakeWebhook;

  beforeAll(async () => {
    github = await startFakeGitHub({ repos: ["acme/shop"], tokens: ["ghp_token"] });
    endpoint = await new FakeWebhook().start();
  });
  afterAll(async () => {
    await github.stop();
    await endpoint.stop();
  });

  it("returns the same not-before time from an SCM provider, a receiver and the relay's webhook sink for a 429 with an HTTP-date Retry-After", async () => {
    // Prepare: two minutes ahead, in the IMF-fixdate form of RFC 9110 (whole seconds).
    const at = new Date(Date.now() + 120_000).toUTCString();
    const throttled = { status: 429, headers: { "Retry-After": at } };
    github.failNext({ ...throttled, body: { message: "API rate limit exceeded" } });
    endpoint.answerNext({ ...throttled, body: "slow down" }, 2);
    const provider = new GitHubProvider({ baseUrl: github.apiUrl, token: "ghp_token" });
    const receiver = await startReceiver("webhook", { url: endpoint.url });
    const clock = Date.now();
    const sink = new WebhookSink({ url: endpoint.url, secret: "ingest-secret", now: () => clock });

    // Act
    const scmError = await provider
      .setStatus({ repo: { kind: "github", owner: "acme", name: "shop" }, sha: SHA, name: "ci/build" }, { phase: "queued" })
      .catch((e: unknown) => e);
    const receiverError = await receiver.whenFinished(receiverContext(), pipelineInfo()).catch((e: unknown) => e);
    const report = await sink.send([makeEnvelope("dev", "ADDED", pipelineRun("run-1"))]);

    // Assess
    const expected = { disposition: Disposition.Retry, notBefore: Date.parse(at), backsOff: false };
    expect(dispositionOf(scmError)).toEqual(expected);
    expect(dispositionOf(receiverError)).toEqual(expected);
    expect(report.retry).toHaveLength(1);
    expect(clock + report.retryAfterMs!).toBe(expected.notBefore);
    expect(github.requests).toHaveLength(1);
    expect(endpoint.requests).toHaveLength(2);
  });
});
