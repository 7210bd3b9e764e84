/**
 * `opsgenie`: a failed run creates an alert, the next success of the same
 * status name closes it (the life cycle is in ../incident.ts).
 *
 * The Alert API is asynchronous: create and close answer 202 with a request
 * id once the request is queued, and a close whose alias has no open alert
 * fails later, on Opsgenie's side, harmlessly. An open alert with the same
 * alias is not duplicated: Opsgenie counts the repeat on it
 * (https://docs.opsgenie.com/docs/alert-api#create-alert). 429 means the
 * account's rate limit for the alert domain
 * (https://docs.opsgenie.com/docs/api-rate-limiting), retried with backoff
 * like a 5xx; 401, 403 and 422 (a body it will not process) are permanent.
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
import { aliasOf, closeAlert, createAlert, MESSAGE_MAX, OpsgeniePriority, TAG_MAX, TAGS_MAX } from "./alert";

/** API hosts of the two service regions (https://docs.opsgenie.com/docs/european-service-region). */
export const OPSGENIE_HOSTS = { us: "https://api.opsgenie.com", eu: "https://api.eu.opsgenie.com" } as const;

const OpsgenieOptions = z
  .strictObject({
    /** The key of an API integration (it may create and close alerts), by reference. */
    apiKey: secretReference(),
    ...endpointOptions,
    priority: z.enum(OpsgeniePriority).default("P3"),
    /** Added to the alert beside `kube-feedback`; routing and notification rules can match them. */
    tags: z
      .array(z.string().trim().min(1, "cannot be empty").max(TAG_MAX, `at most ${TAG_MAX} characters`))
      .max(TAGS_MAX - 1, `at most ${TAGS_MAX - 1} tags (Opsgenie keeps ${TAGS_MAX}, one is kube-feedback)`)
      .default([]),
    events: eventsOption([LifecycleEvent.Finished]),
    timeoutSeconds: timeoutOption,
    /** The alert's message (its summary, at most 130 characters) in place of the default line. */
    template: templateOption().optional(),
  })
  .superRefine(oneEndpoint);
export type OpsgenieOptions = z.output<typeof OpsgenieOptions>;

export const alertsUrlOf = (options: Pick<OpsgenieOptions, "region" | "apiUrl">): string => `${endpointOf(options, OPSGENIE_HOSTS)}/v2/alerts`;

export class OpsgenieReceiver extends PostingReceiver {
  readonly #options: OpsgenieOptions;
  readonly #alertsUrl: string;
  #apiKey: string | undefined;
  #store: ReceiverStore | undefined;

  constructor(name: string, options: OpsgenieOptions) {
    super(name, options.events);
    this.#options = options;
    this.#alertsUrl = alertsUrlOf(options);
  }

  async initialize(sc: ServiceContext): Promise<void> {
    this.#apiKey = await resolveSecret(this.#options.apiKey, { field: `receiver ${this.name}: options.apiKey` });
    this.#store = sc.store;
  }

  protected async post(ctx: ReceiverContext, _event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    const apiKey = this.#apiKey;
    if (apiKey === undefined || !this.#store) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const send = { headers: { authorization: `GenieKey ${apiKey}` }, timeoutSeconds: this.#options.timeoutSeconds };
    await syncIncident({ receiver: this.name, store: this.#store, log: ctx.log }, info, async (action, key) => {
      if (action === IncidentAction.Trigger) {
        const message = renderTemplate(this.#options.template, ctx, info, { receiver: this.name, option: "template" }, MESSAGE_MAX);
        await sendJson("opsgenie", this.#alertsUrl, JSON.stringify(createAlert(key, info, { ...this.#options, message })), send);
      } else {
        // Without identifierType the path segment is read as the alert's id, not its alias.
        const url = `${this.#alertsUrl}/${encodeURIComponent(aliasOf(key))}/close?identifierType=alias`;
        await sendJson("opsgenie", url, JSON.stringify(closeAlert(info)), send);
      }
    });
  }
}

export const opsgenieReceiverFactory: ReceiverFactory<typeof OpsgenieOptions> = {
  options: OpsgenieOptions,
  create: (name, options) => new OpsgenieReceiver(name, options),
};
