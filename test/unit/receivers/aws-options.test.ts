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
  ])("builds $type from valid options", ({ type, options }) => {
    // Act
    const receivers = createReceivers(
      parseConfig({ cluster: "prod", watch: [{ group: "batch", version: "v1", resource: "jobs" }], receivers: [{ name: "aws", type, options }] }),
    );

    // Assess
    expect(receivers.map((r) => r.receiver.name)).toEqual(["aws"]);
  });
});
