/**
 * `sns`: one message per callback on an Amazon SNS topic, the run event
 * document as its body and `event`, `phase`, `namespace`, `kind` and
 * `cluster` as String message attributes for subscription filter policies,
 * so queues, functions and mailboxes subscribe to the runs they care about.
 *
 * The client is the SDK's, loaded when the receiver starts, built once with
 * the region and credentials of the environment; `AWS_ENDPOINT_URL_SNS`
 * points it elsewhere (tests, a VPC endpoint). SNS speaks the AWS query
 * protocol; its throttle is the error code `Throttled` (HTTP 429,
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors).
 */
import type { PublishCommand, PublishInput, SNSClient } from "@aws-sdk/client-sns";
import { z } from "zod";
import type { PipelineInfo } from "../../pipeline/types";
import { awsClientSettings, requireRegion, toReceiverError } from "../aws-sdk";
import { ReceiverError } from "../errors";
import type { ReceiverFactory } from "../registry";
import type { LifecycleEvent, ReceiverContext, ServiceContext } from "../../pipeline/receiver";
import { ALL_EVENTS, eventsOption, PostingReceiver, timeoutOption } from "../webhook";
import { publishInput, TOPIC_ARN } from "./publish";

const SnsOptions = z.strictObject({
  topicArn: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .regex(TOPIC_ARN, "must be an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:ci-runs"),
  // Subscriptions filter for themselves: every callback by default.
  events: eventsOption(ALL_EVENTS),
  timeoutSeconds: timeoutOption,
});
export type SnsOptions = z.output<typeof SnsOptions>;

type Publish = (input: PublishInput) => Promise<{ MessageId?: string | undefined }>;

export class SnsReceiver extends PostingReceiver {
  readonly #options: SnsOptions;
  #publish: Publish | undefined;

  constructor(name: string, options: SnsOptions) {
    super(name, options.events);
    this.#options = options;
  }

  async initialize(_sc: ServiceContext): Promise<void> {
    if (this.#publish) return;
    const sdk = await import("@aws-sdk/client-sns");
    const client: SNSClient = new sdk.SNSClient(awsClientSettings(this.#options.timeoutSeconds));
    await requireRegion(client, this.name);
    const Command: typeof PublishCommand = sdk.PublishCommand;
    this.#publish = (input) => client.send(new Command(input));
  }

  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#publish) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const topicArn = this.#options.topicArn;
    let output: { MessageId?: string | undefined };
    try {
      output = await this.#publish(publishInput(topicArn, event, info));
    } catch (error) {
      throw toReceiverError(error, { what: `sns ${this.name}: Publish to ${topicArn}`, permission: `sns:Publish on ${topicArn}` });
    }
    ctx.log.debug(`published to ${topicArn}`, { receiver: this.name, event, messageId: output.MessageId });
  }
}

export const snsReceiverFactory: ReceiverFactory<typeof SnsOptions> = {
  options: SnsOptions,
  create: (name, options) => new SnsReceiver(name, options),
};
