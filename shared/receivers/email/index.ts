/**
 * `email`: a plain text mail per callback through Amazon SES v2 `SendEmail`
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html),
 * from a verified identity to a list of addresses.
 *
 * The client is the SDK's, loaded when the receiver starts, built once with
 * the region and credentials of the environment (SES identities are per
 * region: the function's region must hold the `from` identity);
 * `AWS_ENDPOINT_URL_SESV2` points it elsewhere (tests, a VPC endpoint).
 * SES answers a sending rate or daily quota that is used up with a throttle
 * (`TooManyRequestsException`, or `ThrottlingException` "Maximum sending
 * rate exceeded" / "Daily message quota exceeded",
 * https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html):
 * retried; `MessageRejected`, an unverified identity or a paused account
 * are permanent until someone acts.
 */
import type { SendEmailCommand, SendEmailRequest, SESv2Client } from "@aws-sdk/client-sesv2";
import { z } from "zod";
import type { PipelineInfo } from "../../pipeline/types";
import { awsClientSettings, requireRegion, toReceiverError } from "../aws-sdk";
import { ReceiverError } from "../errors";
import type { ReceiverFactory } from "../registry";
import { LifecycleEvent, type ReceiverContext, type ServiceContext } from "../../pipeline/receiver";
import { eventsOption, PostingReceiver, timeoutOption } from "../webhook";
import { oneLine, truncate } from "../format";
import { renderTemplate, templateOption } from "../template";
import { emailMessage, SUBJECT_MAX } from "./message";

/** SES v2 takes at most 50 recipients per message (To, Cc and Bcc together). */
const RECIPIENTS_MAX = 50;

const address = () =>
  z.email({ error: (issue) => (issue.input === undefined ? "is required" : "must be an email address such as ci@example.com") });

const EmailOptions = z.strictObject({
  /** A verified SES identity: the address itself, or an address of a verified domain. */
  from: address(),
  to: z
    .array(address(), { error: (issue) => (issue.input === undefined ? "is required" : "must be a list of email addresses") })
    .min(1, "list at least one address")
    .max(RECIPIENTS_MAX, `at most ${RECIPIENTS_MAX} addresses (SES's limit per message)`),
  // A mailbox wants outcomes, as a chat room does.
  events: eventsOption([LifecycleEvent.Finished]),
  timeoutSeconds: timeoutOption,
  /** The subject (on one line) and the plain text body, each in place of the default one. */
  template: z.strictObject({ subject: templateOption().optional(), body: templateOption().optional() }).optional(),
});
export type EmailOptions = z.output<typeof EmailOptions>;

type SendEmail = (request: SendEmailRequest) => Promise<{ MessageId?: string | undefined }>;

export class EmailReceiver extends PostingReceiver {
  readonly #options: EmailOptions;
  #send: SendEmail | undefined;

  constructor(name: string, options: EmailOptions) {
    super(name, options.events);
    this.#options = options;
  }

  async initialize(_sc: ServiceContext): Promise<void> {
    if (this.#send) return;
    const sdk = await import("@aws-sdk/client-sesv2");
    const client: SESv2Client = new sdk.SESv2Client(awsClientSettings(this.#options.timeoutSeconds));
    await requireRegion(client, this.name);
    const Command: typeof SendEmailCommand = sdk.SendEmailCommand;
    this.#send = (request) => client.send(new Command(request));
  }

  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#send) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const { from, to } = this.#options;
    const message = emailMessage(info, event, this.name);
    const rendered = (option: "subject" | "body") => renderTemplate(this.#options.template?.[option], ctx, info, { receiver: this.name, option: `template.${option}` });
    const customSubject = rendered("subject");
    const subject = customSubject === undefined ? message.subject : truncate(oneLine(customSubject), SUBJECT_MAX);
    const text = rendered("body") ?? message.text;
    let output: { MessageId?: string | undefined };
    try {
      output = await this.#send({
        FromEmailAddress: from,
        Destination: { ToAddresses: [...to] },
        Content: { Simple: { Subject: { Data: subject, Charset: "UTF-8" }, Body: { Text: { Data: text, Charset: "UTF-8" } } } },
      });
    } catch (error) {
      throw toReceiverError(error, { what: `email ${this.name}: SendEmail from ${from}`, permission: `ses:SendEmail on the identity of ${from}` });
    }
    ctx.log.debug(`mail sent from ${from}`, { receiver: this.name, event, messageId: output.MessageId });
  }
}

export const emailReceiverFactory: ReceiverFactory<typeof EmailOptions> = {
  options: EmailOptions,
  create: (name, options) => new EmailReceiver(name, options),
};
