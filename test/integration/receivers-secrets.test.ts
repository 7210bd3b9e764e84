import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSecret, SecretNotFoundError } from "../../shared/secrets";
import { FakeAwsParameters, FakeWebhook, pipelineInfo, receiverContext, startReceiver } from "../helpers/fake-chat";

const AWS_VARS = ["AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;

describe("Function: resolveSecret", () => {
  const aws = new FakeAwsParameters();
  const saved = new Map<string, string | undefined>();

  beforeAll(async () => {
    await aws.start();
    for (const name of AWS_VARS) saved.set(name, process.env[name]);
    // The real SDK clients inside Powertools talk to the fake over HTTP.
    process.env.AWS_ENDPOINT_URL_SSM = aws.baseUrl;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = aws.baseUrl;
    process.env.AWS_REGION = "eu-west-1";
    process.env.AWS_ACCESS_KEY_ID = "test";
    process.env.AWS_SECRET_ACCESS_KEY = "test";
    aws.parameters.set("/kube-feedback/hook-secret", "ssm-hook-secret");
    aws.parameters.set("/kube-feedback/cached", "cached-value");
    aws.parameters.set("/kube-feedback/webhook", "ssm-webhook-secret");
    aws.parameters.set("/kube-feedback/shared", "shared-value");
    aws.secrets.set("kube-feedback/slack", "https://hooks.example.com/services/T/B/x");
    aws.secrets.set("kube-feedback/bundle", JSON.stringify({ teamsUrl: "https://teams.example.com/hook", other: 1 }));
  });
  afterAll(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await aws.stop();
  });

  it("returns an SSM parameter's decrypted value for ssm:/name", async () => {
    // Act
    const value = await resolveSecret("ssm:/kube-feedback/hook-secret");

    // Assess
    expect(value).toBe("ssm-hook-secret");
    const calls = aws.calls("AmazonSSM.GetParameter");
    expect(calls.at(-1)!.json).toEqual({ Name: "/kube-feedback/hook-secret", WithDecryption: true });
  });

  it("returns an SSM parameter named by its ARN", async () => {
    // Act
    const value = await resolveSecret(FakeAwsParameters.parameterArn("/kube-feedback/shared"));

    // Assess
    expect(value).toBe("shared-value");
  });

  it("serves a repeated reference from the Powertools cache with one call to SSM", async () => {
    // Prepare
    const before = aws.calls("AmazonSSM.GetParameter").length;

    // Act
    await resolveSecret("ssm:/kube-feedback/cached");
    await resolveSecret("ssm:/kube-feedback/cached");

    // Assess
    expect(aws.calls("AmazonSSM.GetParameter").length - before).toBe(1);
  });

  it("returns a Secrets Manager secret, or one key of a JSON secret after #", async () => {
    // Act
    const whole = await resolveSecret(FakeAwsParameters.secretArn("kube-feedback/slack"));
    const key = await resolveSecret(`${FakeAwsParameters.secretArn("kube-feedback/bundle")}#teamsUrl`);

    // Assess
    expect(whole).toBe("https://hooks.example.com/services/T/B/x");
    expect(key).toBe("https://teams.example.com/hook");
  });

  it("throws SecretNotFoundError naming the parameter and the option when it does not exist", async () => {
    // Act
    const attempt = resolveSecret("ssm:/kube-feedback/missing", { field: "receiver hook: options.secret" });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(attempt).rejects.toThrow("receiver hook: options.secret: SSM parameter /kube-feedback/missing does not exist");
  });

  it("throws SecretNotFoundError naming the key when a JSON secret lacks it", async () => {
    // Act
    const attempt = resolveSecret(`${FakeAwsParameters.secretArn("kube-feedback/bundle")}#slackUrl`);

    // Assess
    await expect(attempt).rejects.toThrow(/Secrets Manager secret arn:aws:secretsmanager:.*kube-feedback\/bundle-AbCdEf key "slackUrl" has no value/);
  });

  describe("Class: WebhookReceiver", () => {
    it("signs with the secret read from SSM at initialize, once for any number of posts", async () => {
      // Prepare
      const hook = await new FakeWebhook().start();
      const before = aws.calls("AmazonSSM.GetParameter").length;
      const receiver = await startReceiver("webhook", { url: hook.url, secret: "ssm:/kube-feedback/webhook" });

      // Act
      await receiver.whenFinished(receiverContext(), pipelineInfo());
      await receiver.whenFinished(receiverContext(), pipelineInfo({ uid: "second-run" }));

      // Assess
      expect(hook.requests).toHaveLength(2);
      for (const request of hook.requests) {
        const expected = `sha256=${createHmac("sha256", "ssm-webhook-secret").update(request.body).digest("hex")}`;
        expect(request.headers["x-feedback-signature-256"]).toBe(expected);
      }
      expect(aws.calls("AmazonSSM.GetParameter").length - before).toBe(1);
      await hook.stop();
    });
  });
});
