import { EnvelopeTooLargeError, EnvelopeType, InvalidEnvelopeError, makeEnvelope, validateEnvelope, type KubeObject } from "../envelope";
import type { Log } from "../log";
import type { CloudEvent } from "./cloudevents";
import { InvalidRequestError } from "./errors";
import type { QueueEntry } from "./queue";
import { shapeForQueue } from "./shape";

/**
 * Every CloudEvent type Tekton emits: Pipelines' run events
 * (pkg/reconciler/events/cloudevent/cloudevent.go: `dev.tekton.event.<kind>.<state>.v1`
 * for TaskRun, PipelineRun, CustomRun and the older Run) and Triggers'
 * EventListener events (`dev.tekton.event.triggers.<state>.v1`). All are
 * accepted; TaskRun and PipelineRun events become envelopes, the others carry
 * no run we report on and are counted as ignored.
 */
export const TEKTON_EVENT_TYPES: readonly string[] = [
  ...["taskrun", "pipelinerun", "customrun", "run"].flatMap((kind) =>
    ["started", "running", "unknown", "successful", "failed"].map((state) => `dev.tekton.event.${kind}.${state}.v1`),
  ),
  ...["started", "successful", "failed", "done"].map((state) => `dev.tekton.event.triggers.${state}.v1`),
];
const TEKTON_RUN_EVENT = /^dev\.tekton\.event\.(pipelinerun|taskrun)\.(started|running|successful|failed|unknown)\.v1$/;
const TEKTON_PREFIX = "dev.tekton.event.";

const RUN_KINDS = {
  pipelinerun: { dataKey: "pipelineRun", kind: "PipelineRun" },
  taskrun: { dataKey: "taskRun", kind: "TaskRun" },
} as const;

/**
 * Tekton converts runs to v1beta1 before sending them, and objects from its
 * informers carry no TypeMeta, so apiVersion and kind are usually absent.
 */
const TEKTON_EVENT_API_VERSION = "tekton.dev/v1beta1";

const observedAt = (event: CloudEvent, now: Date, where: string): Date => {
  if (!event.time) return now;
  const time = new Date(event.time);
  if (Number.isNaN(time.getTime())) throw new InvalidRequestError(`${where}: time: "${event.time}" is not an RFC 3339 timestamp`);
  return time;
};

/**
 * The envelope for one Tekton run event, or undefined for a Tekton event we
 * do not handle (CustomRun, Run). `.started` is the run's ADDED; every other
 * state is a MODIFIED of the embedded run. `cluster` is the one the sender
 * may post for (see clusterOf in cloudevents-route.ts). A run too big for an
 * SQS message even cut down is a 400 naming it.
 */
export const tektonEntry = (event: CloudEvent, cluster: string, now: Date, where: string, log: Log): QueueEntry | undefined => {
  const match = TEKTON_RUN_EVENT.exec(event.type);
  if (!match) {
    if (event.type.startsWith(TEKTON_PREFIX)) return undefined;
    throw new InvalidRequestError(`${where}: type "${event.type}" is not a Tekton PipelineRun or TaskRun event`);
  }
  const { dataKey, kind } = RUN_KINDS[match[1] as keyof typeof RUN_KINDS];
  const data = event.data as Record<string, unknown> | null | undefined;
  const raw = data && typeof data === "object" ? data[dataKey] : undefined;
  if (!raw || typeof raw !== "object") throw new InvalidRequestError(`${where}: data.${dataKey}: missing for ${event.type}`);
  const run = raw as Record<string, unknown>;
  const object = { ...run, apiVersion: run.apiVersion || TEKTON_EVENT_API_VERSION, kind: run.kind || kind } as KubeObject;
  const type = match[2] === "started" ? EnvelopeType.Added : EnvelopeType.Modified;
  let envelope;
  try {
    envelope = validateEnvelope(makeEnvelope(cluster, type, object, observedAt(event, now, where)));
  } catch (error) {
    if (!(error instanceof InvalidEnvelopeError)) throw error;
    const field = error.path.startsWith("object")
      ? `data.${dataKey}${error.path.slice("object".length)}`
      : error.path === "cluster"
        ? "cluster (extension attribute)"
        : error.path;
    throw new InvalidRequestError(`${where}: ${field}: ${error.reason}`);
  }
  try {
    return { envelope: shapeForQueue(envelope, log) };
  } catch (error) {
    if (error instanceof EnvelopeTooLargeError) throw new InvalidRequestError(`${where}: data.${dataKey}: ${error.message}`, [], { cause: error });
    throw error;
  }
};
