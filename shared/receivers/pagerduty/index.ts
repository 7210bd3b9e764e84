/**
 * `pagerduty`: a failed run triggers an incident through the Events API v2,
 * the next success of the same status name resolves it (the life cycle is
 * in ../incident.ts).
 *
 * The API answers 202 for an accepted event, 400 for one it will never take
 * (a wrong routing key, a missing field) and 429 when the integration sends
 * too fast (https://developer.pagerduty.com/docs/events-api-v2/overview/#response-codes--retry-logic);
 * it sends no Retry-After, so a 429 or a 5xx is retried with backoff, a 400
 * is permanent. Events are deduplicated by `dedup_key`, so a retried trigger
 * adds to the open incident instead of opening a second one.
 */
import { z } from "zod";
import type { PipelineInfo } from "../../pipeline/types";
import { resolveSecret, secretReference } from "../../secrets";
import { ReceiverError } from "../errors";
import { endpointOf, endpointOptions, IncidentAction, oneEndpoint, syncIncident } from "../incident";
import type { ReceiverFactory } from "../registry";
import { LifecycleEvent, type ReceiverContext, type ReceiverStore, type ServiceContext } from "../../pipeline/receiver";
import { eventsOption, PostingReceiver, sendJson, timeoutOption } from "../webhook";
import { renderTemplate, templateOption } from "../template";
import { PagerDutySeverity, resolveEvent, SUMMARY_MAX, triggerEvent } from "./event";

/** Events API hosts of the two service regions (https://support.pagerduty.com/main/docs/service-regions). */
export const PAGERDUTY_HOSTS = { us: "https://events.pagerduty.com", eu: "https://events.eu.pagerduty.com" } as const;

const PagerDutyOptions = z
  .strictObject({
    /** The integration key of an Events API v2 integration on a service, by reference. */
    routingKey: secretReference(),
    /** The alert's severity for every failed run; PagerDuty's event rules can map it further. */
    severity: z.enum(PagerDutySeverity).default("error"),
    ...endpointOptions,
    events: eventsOption([LifecycleEvent.Finished]),
    timeoutSeconds: timeoutOption,
    /** The alert's summary (`payload.summary`) in place of the default line. */
    template: templateOption().optional(),
  })
  .superRefine(oneEndpoint);
export type PagerDutyOptions = z.output<typeof PagerDutyOptions>;

/** `POST /v2/enqueue` on the region's host or on `apiUrl`. */
export const enqueueUrlOf = (options: Pick<PagerDutyOptions, "region" | "apiUrl">): string => `${endpointOf(options, PAGERDUTY_HOSTS)}/v2/enqueue`;

export class PagerDutyReceiver extends PostingReceiver {
  readonly #options: PagerDutyOptions;
  readonly #url: string;
  #routingKey: string | undefined;
  #store: ReceiverStore | undefined;

  constructor(name: string, options: PagerDutyOptions) {
    super(name, options.events);
    this.#options = options;
    this.#url = enqueueUrlOf(options);
  }

  async initialize(sc: ServiceContext): Promise<void> {
    this.#routingKey = await resolveSecret(this.#options.routingKey, { field: `receiver ${this.name}: options.routingKey` });
    this.#store = sc.store;
  }

  protected async post(ctx: ReceiverContext, _event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    const routingKey = this.#routingKey;
    if (routingKey === undefined || !this.#store) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    await syncIncident({ receiver: this.name, store: this.#store, log: ctx.log }, info, async (action, key) => {
      const summary = () => renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }, SUMMARY_MAX);
      const body = action === IncidentAction.Trigger ? triggerEvent(routingKey, key, info, this.#options.severity, summary()) : resolveEvent(routingKey, key);
      await sendJson("pagerduty", this.#url, JSON.stringify(body), { timeoutSeconds: this.#options.timeoutSeconds });
    });
  }
}

export const pagerDutyReceiverFactory: ReceiverFactory<typeof PagerDutyOptions> = {
  options: PagerDutyOptions,
  create: (name, options) => new PagerDutyReceiver(name, options),
};
