import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";

const configError = (type: string, options: Record<string, unknown>): ConfigError => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [
      { name: "ok", type: "console", options: {} },
      { name: "r", type, options },
    ],
  });
  try {
    createReceivers(config);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

interface OptionCase {
  name: string;
  type: string;
  options: Record<string, unknown>;
  path: string;
  reason: string | RegExp;
}

const BUS = { eventBusName: "ci-events" };
const TOPIC = { topicArn: "arn:aws:sns:eu-west-1:123456789012:ci-runs" };
const MAIL = { from: "ci@example.com", to: ["dev@example.com"] };

describe("Function: createReceivers (AWS receivers)", () => {
  it.each<OptionCase>([
    { name: "a misspelt eventbridge key", type: "eventbridge", options: { ...BUS, eventBusNmae: "x" }, path: "eventBusNmae", reason: "unknown key" },
    { name: "an eventbridge receiver without a bus", type: "eventbridge", options: {}, path: "eventBusName", reason: "is required" },
    { name: "a bus name with a space", type: "eventbridge", options: { eventBusName: "ci events" }, path: "eventBusName", reason: /must be an event bus name/ },
    { name: "an ARN of another service as the bus", type: "eventbridge", options: { eventBusName: "arn:aws:sns:eu-west-1:123456789012:ci" }, path: "eventBusName", reason: /must be an event bus name/ },
    { name: "a source reserved for AWS", type: "eventbridge", options: { ...BUS, source: "aws.codebuild" }, path: "source", reason: "must not start with aws. (reserved for AWS services)" },
    { name: "an unknown eventbridge event", type: "eventbridge", options: { ...BUS, events: ["done"] }, path: "events[0]", reason: /expected one of "created"\|"started"\|"progress"\|"finished"/ },
    { name: "a misspelt sns key", type: "sns", options: { ...TOPIC, event: ["finished"] }, path: "event", reason: "unknown key" },
    { name: "an sns receiver without a topic", type: "sns", options: {}, path: "topicArn", reason: "is required" },
    { name: "a topic name instead of its ARN", type: "sns", options: { topicArn: "ci-runs" }, path: "topicArn", reason: /must be an SNS topic ARN/ },
    { name: "a queue ARN as the topic", type: "sns", options: { topicArn: "arn:aws:sqs:eu-west-1:123456789012:ci-runs" }, path: "topicArn", reason: /must be an SNS topic ARN/ },
    { name: "an sns timeout over a minute", type: "sns", options: { ...TOPIC, timeoutSeconds: 120 }, path: "timeoutSeconds", reason: "at most 60 seconds" },
    { name: "an email option email does not have", type: "email", options: { ...MAIL, cc: ["lead@example.com"] }, path: "cc", reason: "unknown key" },
    { name: "an email receiver without a sender", type: "email", options: { to: MAIL.to }, path: "from", reason: "is required" },
    { name: "a sender that is not an address", type: "email", options: { ...MAIL, from: "CI builds" }, path: "from", reason: "must be an email address such as ci@example.com" },
    { name: "one recipient given as a string", type: "email", options: { ...MAIL, to: "dev@example.com" }, path: "to", reason: "must be a list of email addresses" },
    { name: "no recipients", type: "email", options: { ...MAIL, to: [] }, path: "to", reason: "list at least one address" },
    { name: "a recipient that is not an address", type: "email", options: { ...MAIL, to: ["dev@example.com", "oncall"] }, path: "to[1]", reason: "must be an email address such as ci@example.com" },
    { name: "more recipients than SES takes", type: "email", options: { ...MAIL, to: Array.from({ length: 51 }, (_, i) => `dev${i}@example.com`) }, path: "to", reason: "at most 50 addresses (SES's limit per message)" },
  ])("stops at start naming the option for $name", ({ type, options, path, reason }) => {
    // Act
    const error = configError(type, options);

    // Assess
    expect(error.path).toBe(`receivers[1].options.${path}`);
    if (typeof reason === "string") expect(error.reason).toBe(reason);
    else expect(error.reason).toMatch(reason);
  });

  it.each<{ type: string; options: Record<string, unknown> }>([
    { type: "eventbridge", options: { eventBusName: "arn:aws:events:eu-west-1:123456789012:event-bus/ci-events" } },
    { type: "eventbridge", options: { eventBusName: "default", source: "acme.ci", events: ["finished"], timeoutSeconds: 5 } },
    { type: "sns", options: TOPIC },
    { type: "sns", options: { topicArn: "arn:aws-cn:sns:cn-north-1:123456789012:ci-runs.fifo", events: ["started", "finished"] } },
    { type: "email", options: MAIL },
    { type: "email", options: { ...MAIL, events: ["started", "finished"], timeoutSeconds: 20 } },
  ])("builds $type from valid options", ({ type, options }) => {
    // Act
    const receivers = createReceivers(
      parseConfig({ cluster: "prod", watch: [{ group: "batch", version: "v1", resource: "jobs" }], receivers: [{ name: "aws", type, options }] }),
    );

    // Assess
    expect(receivers.map((r) => r.receiver.name)).toEqual(["aws"]);
  });
});
