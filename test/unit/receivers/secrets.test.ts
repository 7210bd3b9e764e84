import { afterEach, describe, expect, it } from "vitest";
import {
  InvalidSecretReferenceError,
  isSecretReference,
  parseSecretReference,
  resolveSecret,
  SecretNotFoundError,
  type SecretReference,
} from "../../../shared/secrets";

describe("Function: parseSecretReference", () => {
  it.each<{ ref: string; expected: SecretReference }>([
    { ref: "env:SLACK_WEBHOOK_URL", expected: { source: "env", name: "SLACK_WEBHOOK_URL" } },
    { ref: "ssm:/kube-feedback/slack-url", expected: { source: "ssm", name: "/kube-feedback/slack-url" } },
    { ref: "ssm:slack_url.v2", expected: { source: "ssm", name: "slack_url.v2" } },
    {
      ref: "arn:aws:ssm:eu-west-1:123456789012:parameter/kube-feedback/slack-url",
      expected: { source: "ssm", name: "arn:aws:ssm:eu-west-1:123456789012:parameter/kube-feedback/slack-url" },
    },
    {
      ref: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:ci/teams-AbCdEf",
      expected: { source: "secretsmanager", id: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:ci/teams-AbCdEf" },
    },
    {
      ref: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci-AbCdEf#discordUrl",
      expected: { source: "secretsmanager", id: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci-AbCdEf", jsonKey: "discordUrl" },
    },
  ])("returns $expected.source for $ref", ({ ref, expected }) => {
    // Act
    const parsed = parseSecretReference(ref);

    // Assess
    expect(parsed).toEqual(expected);
  });

  it.each([
    { ref: "https://hooks.slack.com/services/T/B/x", reason: /^must be a secret reference \(env:NAME, ssm:\/parameter\/name, k8s:namespace\/secret#key, or .*\), not the secret itself$/ },
    { ref: "hunter2", reason: /not the secret itself$/ },
    { ref: "env:1BAD", reason: /^env: must be followed by an environment variable name/ },
    { ref: "ssm:", reason: /^ssm: must be followed by a parameter name/ },
    { ref: "ssm:/a//b", reason: /^ssm: must be followed by a parameter name/ },
    { ref: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x#", reason: /^is an ARN but not of an SSM parameter or a Secrets Manager secret$/ },
    { ref: "arn:aws:sqs:eu-west-1:123456789012:queue", reason: /^is an ARN but not/ },
  ])("throws InvalidSecretReferenceError for $ref without repeating it", ({ ref, reason }) => {
    // Act
    const attempt = () => parseSecretReference(ref, "options.url");

    // Assess
    expect(attempt).toThrow(InvalidSecretReferenceError);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidSecretReferenceError).reason).toMatch(reason);
      expect((error as Error).message.startsWith("options.url: ")).toBe(true);
      if (!ref.startsWith("arn:") && ref.length > 4) expect((error as Error).message).not.toContain(ref);
    }
  });
});

describe("Function: isSecretReference", () => {
  it("returns true for a reference and false for a literal", () => {
    // Assess
    expect(isSecretReference("env:TOKEN")).toBe(true);
    expect(isSecretReference("token")).toBe(false);
  });
});

describe("Function: resolveSecret", () => {
  afterEach(() => {
    delete process.env.KF_UNIT_SECRET;
  });

  it("returns the environment variable's value, trimmed, for env:NAME", async () => {
    // Prepare
    process.env.KF_UNIT_SECRET = "  s3cret\n";

    // Act
    const value = await resolveSecret("env:KF_UNIT_SECRET");

    // Assess
    expect(value).toBe("s3cret");
  });

  it("throws SecretNotFoundError naming the option and the variable when it is unset", async () => {
    // Act
    const attempt = resolveSecret("env:KF_UNIT_SECRET", { field: "receiver slack: options.url" });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(attempt).rejects.toThrow("receiver slack: options.url: environment variable KF_UNIT_SECRET is not set");
  });

  it("throws SecretNotFoundError when the variable is empty", async () => {
    // Prepare
    process.env.KF_UNIT_SECRET = " ";

    // Act
    const attempt = resolveSecret("env:KF_UNIT_SECRET");

    // Assess
    await expect(attempt).rejects.toThrow("environment variable KF_UNIT_SECRET is empty or not a string");
  });

  it("rejects a literal before looking anywhere", async () => {
    // Act
    const attempt = resolveSecret("plain-token", { field: "receiver hook: options.secret" });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidSecretReferenceError);
    await expect(attempt).rejects.toThrow(/^receiver hook: options.secret: must be a secret reference/);
  });
});
