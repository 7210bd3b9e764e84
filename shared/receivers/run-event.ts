/**
 * The JSON document the AWS fan-out receivers send about a run: the
 * `detail` of an EventBridge event and the `Message` of an SNS notification
 * are the same document, so a consumer reads either the same way. The
 * schema is documented in README ("Run event document") and versioned:
 * fields are added, never renamed or removed, without a new `version`.
 */
import type { GitContext, PipelineInfo, PipelinePhase } from "../pipeline/types";
import type { LifecycleEvent } from "../pipeline/receiver";
import { truncate } from "./format";
import { deliveryId } from "./webhook";

export const RUN_EVENT_VERSION = "1";

export interface RunEventStage {
  name: string;
  phase: PipelinePhase;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
}

export interface RunEvent {
  version: typeof RUN_EVENT_VERSION;
  /** Which callback: `created`, `started`, `progress` or `finished`. */
  event: LifecycleEvent;
  /** The same on every retry of one callback (per distinct state for progress): consumers drop repeats by it. */
  deliveryId: string;
  /** `cluster/namespace/name` */
  id: string;
  cluster: string;
  namespace: string;
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  template?: { kind: string; name: string };
  phase: PipelinePhase;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  dashboardUrl?: string;
  git?: GitContext;
  labels: Record<string, string>;
  stages: RunEventStage[];
  /** Present when stage messages or stages were left out to keep within the size limit. */
  truncated?: { stageMessages: boolean; stagesOmitted: number };
}

/**
 * A bound below both services' limits: an EventBridge entry is at most
 * 256 KB with its source and detail type
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html),
 * an SNS message 256 KB with its attributes
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
 */
export const RUN_EVENT_MAX_BYTES = 200 * 1024;

/** Run and stage messages are logs' last lines: the dashboard has the rest. */
const MESSAGE_MAX = 1000;

/**
 * The git fields by name: the document's schema is ours to version, so a
 * field added to GitContext for another purpose does not appear in it
 * unannounced.
 */
const GIT_FIELDS = ["repoUrl", "provider", "host", "owner", "repo", "sha", "ref", "pr", "sourceRepoUrl"] as const satisfies readonly (keyof GitContext)[];

const gitOf = (git: GitContext): GitContext =>
  Object.fromEntries(GIT_FIELDS.flatMap((field) => (git[field] === undefined ? [] : [[field, git[field]]]))) as GitContext;

const sizeOf = (document: RunEvent): number => Buffer.byteLength(JSON.stringify(document), "utf8");

const stageOf = (stage: PipelineInfo["stages"][number], withMessage: boolean): RunEventStage => ({
  name: stage.name,
  phase: stage.phase,
  ...(stage.startedAt ? { startedAt: stage.startedAt } : {}),
  ...(stage.finishedAt ? { finishedAt: stage.finishedAt } : {}),
  ...(withMessage && stage.message ? { message: truncate(stage.message, MESSAGE_MAX) } : {}),
});

/**
 * Builds the document for one callback. Annotations are left out (they hold
 * tool state such as last-applied configuration); labels stay, for rules
 * and filters. A run too big for the limit loses its stage messages first,
 * then its last stages, and says so in `truncated`.
 */
export const runEvent = (event: LifecycleEvent, info: PipelineInfo, maxBytes: number = RUN_EVENT_MAX_BYTES): RunEvent => {
  const full: RunEvent = {
    version: RUN_EVENT_VERSION,
    event,
    deliveryId: deliveryId(info, event),
    id: info.id,
    cluster: info.cluster,
    namespace: info.namespace,
    apiVersion: info.apiVersion,
    kind: info.kind,
    name: info.name,
    uid: info.uid,
    ...(info.template ? { template: { kind: info.template.kind, name: info.template.name } } : {}),
    phase: info.phase,
    ...(info.message ? { message: truncate(info.message, MESSAGE_MAX) } : {}),
    ...(info.startedAt ? { startedAt: info.startedAt } : {}),
    ...(info.finishedAt ? { finishedAt: info.finishedAt } : {}),
    ...(info.dashboardUrl ? { dashboardUrl: info.dashboardUrl } : {}),
    ...(info.git ? { git: gitOf(info.git) } : {}),
    labels: info.labels,
    stages: info.stages.map((stage) => stageOf(stage, true)),
  };
  if (sizeOf(full) <= maxBytes) return full;
  const lean: RunEvent = { ...full, stages: info.stages.map((stage) => stageOf(stage, false)), truncated: { stageMessages: true, stagesOmitted: 0 } };
  if (sizeOf(lean) <= maxBytes) return lean;
  // Halve what is left out until it fits, then give back what still fits: few serialisations even for thousands of stages.
  let kept = lean.stages.length;
  const cut = (count: number): RunEvent => ({ ...lean, stages: lean.stages.slice(0, count), truncated: { stageMessages: true, stagesOmitted: lean.stages.length - count } });
  while (kept > 0 && sizeOf(cut(kept)) > maxBytes) kept = Math.floor(kept / 2);
  let step = Math.max(1, Math.floor(kept / 2));
  while (step >= 1) {
    while (kept + step <= lean.stages.length && sizeOf(cut(kept + step)) <= maxBytes) kept += step;
    step = Math.floor(step / 2);
  }
  return cut(kept);
};
