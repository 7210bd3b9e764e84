import type { KubeObject } from "../../shared/envelope";
import type { Route } from "../../shared/process/dispatch";
import {
  EventStatus,
  newEventProcessStatus,
  type EventProcessStatus,
  type Handler,
  type HandlerContext,
  type StatusChannel,
} from "../../shared/status";

/** A made-up kind, so that no built-in route claims these objects. */
export const PROBE_API_VERSION = "test.kube-feedback.io/v1";
export const PROBE_KIND = "Probe";

/** One answer of the scripted handler. */
export interface ScriptStep {
  status: EventStatus;
  reason?: string;
  error?: unknown;
}

export interface Invocation {
  /** Order of the call among every call this handler got. */
  seq: number;
  key: string;
  method: "added" | "updated" | "deleted";
  /** resourceVersion of the `oldObj` passed to `updated`. */
  oldResourceVersion?: string;
  messageId: string;
  retryCount: number;
}

export interface StatusCall {
  key: string;
  status: EventProcessStatus;
}

/** `name@resourceVersion`: two versions of one object are two script entries. */
export const scriptKey = (obj: KubeObject): string => `${obj.metadata.name}@${obj.metadata.resourceVersion ?? ""}`;

/** A Probe object; objects with the same uid share a FIFO message group. */
export const probe = (name: string, uid: string, resourceVersion = "1"): KubeObject => ({
  apiVersion: PROBE_API_VERSION,
  kind: PROBE_KIND,
  metadata: { name, namespace: "test", uid, resourceVersion },
});

/**
 * A handler whose answers are scripted per object version: the n-th call
 * answers the n-th step, and the last step repeats forever. Every call and
 * every `onStatus` is recorded.
 */
export class ScriptedHandler implements Handler {
  readonly name = "scripted-probe";
  readonly invocations: Invocation[] = [];
  readonly statusCalls: StatusCall[] = [];
  readonly #scripts = new Map<string, ScriptStep[]>();

  /** The route that sends Probe objects here. */
  get route(): Route {
    return { matches: (apiVersion, kind) => apiVersion === PROBE_API_VERSION && kind === PROBE_KIND, handler: this };
  }

  script(obj: KubeObject, ...steps: Array<ScriptStep | EventStatus>): this {
    this.#scripts.set(
      scriptKey(obj),
      steps.map((step) => (typeof step === "string" ? { status: step } : step)),
    );
    return this;
  }

  callsOf(obj: KubeObject): Invocation[] {
    const key = scriptKey(obj);
    return this.invocations.filter((i) => i.key === key);
  }

  statusesOf(obj: KubeObject): EventStatus[] {
    const key = scriptKey(obj);
    return this.statusCalls.filter((c) => c.key === key).map((c) => c.status.status);
  }

  added(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    return this.#answer(ctx, obj, ch, "added");
  }

  updated(ctx: HandlerContext, newObj: KubeObject, oldObj: KubeObject | undefined, ch: StatusChannel): Promise<void> {
    return this.#answer(ctx, newObj, ch, "updated", oldObj);
  }

  deleted(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel): Promise<void> {
    return this.#answer(ctx, obj, ch, "deleted");
  }

  async onStatus(ctx: HandlerContext, status: EventProcessStatus): Promise<void> {
    this.statusCalls.push({ key: scriptKey(ctx.envelope.object), status });
  }

  async #answer(ctx: HandlerContext, obj: KubeObject, ch: StatusChannel, method: Invocation["method"], old?: KubeObject): Promise<void> {
    const key = scriptKey(obj);
    const steps = this.#scripts.get(key) ?? [{ status: EventStatus.Completed }];
    const attempt = this.invocations.filter((i) => i.key === key).length;
    this.invocations.push({
      seq: this.invocations.length,
      key,
      method,
      ...(old ? { oldResourceVersion: old.metadata.resourceVersion ?? "" } : {}),
      messageId: ctx.messageId,
      retryCount: ctx.retryCount,
    });
    const step = steps[Math.min(attempt, steps.length - 1)]!;
    const status = newEventProcessStatus().withStatus(step.status).withMessage("attempt", String(attempt + 1));
    if (step.reason !== undefined) status.withMessage("reason", step.reason);
    if (step.error !== undefined) status.withError(step.error);
    await status.sendClose(ch);
  }
}
