/**
 * `eventbridge`: one event per callback on an Amazon EventBridge bus, with
 * detail-type `Pipeline Run State Change` and the run event document as its
 * detail (../run-event.ts, README "Run event document"), so any AWS consumer
 * subscribes with a rule instead of a redeploy.
 *
 * The client is the SDK's, loaded when the receiver starts (a process that
 * configures no AWS receiver never loads it), built once with the region
 * and credentials of the environment; `AWS_ENDPOINT_URL_EVENTBRIDGE` points
 * it elsewhere (tests, a VPC endpoint).
 */
import type { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry, PutEventsResponse } from "@aws-sdk/client-eventbridge";
import { z } from "zod";
import type { PipelineInfo } from "../../pipeline/types";
import { awsClientSettings, requireRegion, toReceiverError } from "../aws-sdk";
import { ReceiverError } from "../errors";
import type { ReceiverFactory } from "../registry";
import type { LifecycleEvent, ReceiverContext, ServiceContext } from "../../pipeline/receiver";
import { ALL_EVENTS, eventsOption, PostingReceiver, timeoutOption } from "../webhook";
import { DEFAULT_SOURCE, DETAIL_TYPE, entryFailure, putEventsEntry } from "./entry";

/**
 * PutEvents' `EventBusName`: a bus name, or its ARN for a bus of another
 * account (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html).
 */
const EVENT_BUS = /^(arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/;

const EventBridgeOptions = z.strictObject({
  eventBusName: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .regex(EVENT_BUS, "must be an event bus name (letters, digits, . _ - /) or an arn:aws:events:…:event-bus/… ARN"),
  /** The events' `source`, for rules that tell several senders apart. */
  source: z
    .string()
    .min(1, "must not be empty")
    .max(256, "at most 256 characters")
    .refine((source) => !source.startsWith("aws."), "must not start with aws. (reserved for AWS services)")
    .default(DEFAULT_SOURCE),
  // A bus fans out to rules that choose for themselves: every callback by default.
  events: eventsOption(ALL_EVENTS),
  timeoutSeconds: timeoutOption,
});
export type EventBridgeOptions = z.output<typeof EventBridgeOptions>;

type PutEvents = (entry: PutEventsRequestEntry) => Promise<PutEventsResponse>;

export class EventBridgeReceiver extends PostingReceiver {
  readonly #options: EventBridgeOptions;
  #putEvents: PutEvents | undefined;

  constructor(name: string, options: EventBridgeOptions) {
    super(name, options.events);
    this.#options = options;
  }

  async initialize(_sc: ServiceContext): Promise<void> {
    if (this.#putEvents) return;
    const sdk = await import("@aws-sdk/client-eventbridge");
    const client: EventBridgeClient = new sdk.EventBridgeClient(awsClientSettings(this.#options.timeoutSeconds));
    await requireRegion(client, this.name);
    const Command: typeof PutEventsCommand = sdk.PutEventsCommand;
    this.#putEvents = (entry) => client.send(new Command({ Entries: [entry] }));
  }

  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    if (!this.#putEvents) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const what = `eventbridge ${this.name}: PutEvents on ${this.#options.eventBusName}`;
    let output: PutEventsResponse;
    try {
      output = await this.#putEvents(putEventsEntry(this.#options.eventBusName, this.#options.source, event, info));
    } catch (error) {
      throw toReceiverError(error, { what, permission: `events:PutEvents on the bus ${this.#options.eventBusName}` });
    }
    const failure = entryFailure(what, output);
    if (failure) throw failure;
    ctx.log.debug(`${DETAIL_TYPE} put on ${this.#options.eventBusName}`, { receiver: this.name, event, eventId: output.Entries?.[0]?.EventId });
  }
}

export const eventBridgeReceiverFactory: ReceiverFactory<typeof EventBridgeOptions> = {
  options: EventBridgeOptions,
  create: (name, options) => new EventBridgeReceiver(name, options),
};
