/**
 * The life cycle the pager receivers (`pagerduty`, `opsgenie`) share: a run
 * that failed opens an incident, the next run of the same status name that
 * succeeds closes it. Both sides meet on one key, derived from the cluster
 * and the run's status name (`statusName` in pipeline/run-name.ts: stable across
 * reruns, or the `commit-status.argoproj.io/status-name` annotation), so the
 * success of `build-x7k2p` resolves what the failure of `build-9q4zt` opened.
 *
 * What each key last sent is remembered in the receivers' store, for two
 * reasons: an SQS retry of a delivered trigger must not page twice, and a
 * success while nothing is open need not call the pager every time. When the
 * memory is missing (never written, expired after `processing.stateTtlDays`,
 * lost) a success sends the resolve anyway: both pagers ignore a resolve or
 * close for an incident they do not have, and an incident left open because
 * we forgot it would be worse than one request.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Log } from "../log";
import { PipelinePhase, type PipelineInfo } from "../pipeline/types";
import type { ReceiverStore } from "../pipeline/receiver";
import { FAILED_PHASES, failureOf, formatDuration, PHASE_LABEL, runTitle, truncate } from "./format";
import { DEFAULT_STATUS_NAME, statusName } from "../pipeline/run-name";
import { httpUrl } from "./webhook";

/**
 * Where a pager's API is: `region` picks one of the service's documented
 * hosts (US by default), `apiUrl` replaces it (a proxy, a test server).
 */
export const endpointOptions = {
  region: z.enum(["us", "eu"]).optional(),
  apiUrl: httpUrl().optional(),
};
type EndpointOptions = { region?: "us" | "eu" | undefined; apiUrl?: string | undefined };

/** Both would be a guess at which one was meant: an error at start, on `apiUrl`. */
export const oneEndpoint = (options: EndpointOptions, ctx: z.RefinementCtx): void => {
  if (options.region !== undefined && options.apiUrl !== undefined) ctx.addIssue({ code: "custom", path: ["apiUrl"], message: "set region or apiUrl, not both" });
};

/** The API base without a trailing slash. */
export const endpointOf = (options: EndpointOptions, hosts: Readonly<Record<"us" | "eu", string>>): string =>
  (options.apiUrl ?? hosts[options.region ?? "us"]).replace(/\/+$/, "");

export const IncidentAction = {
  Trigger: "trigger",
  Resolve: "resolve",
} as const;
export type IncidentAction = (typeof IncidentAction)[keyof typeof IncidentAction];

/**
 * Failed, errored and timed-out runs trigger, succeeded runs resolve; a
 * cancelled run says nothing about the pipeline's health, and a run still
 * going has no verdict yet: neither sends anything.
 */
export const incidentActionOf = (phase: PipelinePhase): IncidentAction | undefined => {
  if (FAILED_PHASES.has(phase)) return IncidentAction.Trigger;
  return phase === PipelinePhase.Succeeded ? IncidentAction.Resolve : undefined;
};

/** PagerDuty takes at most 255 characters of `dedup_key` (Opsgenie 512 of `alias`). */
const KEY_MAX = 255;

/**
 * `kube-feedback/<cluster>/<status name>`, the same for every rerun of one
 * pipeline; a name too long for PagerDuty keeps its start and ends in a hash
 * of the whole, so two long names never share a key.
 */
export const incidentKey = (info: PipelineInfo): string => {
  const key = `kube-feedback/${info.cluster}/${statusName(DEFAULT_STATUS_NAME, info)}`;
  if (key.length <= KEY_MAX) return key;
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return `${key.slice(0, KEY_MAX - hash.length - 1)}#${hash}`;
};

/** `PipelineRun ci/build-7k2x9 failed in 2m 05s at test: "step-build" exited with code 1`, without emoji (pagers read it aloud and text it). */
export const incidentSummary = (info: PipelineInfo, max: number): string => {
  const took = formatDuration(info.startedAt, info.finishedAt);
  const failure = failureOf(info);
  const where = failure?.stage ? ` at ${failure.stage}` : "";
  const why = failure?.reason ? `: ${failure.reason}` : "";
  return truncate(`${runTitle(info)} ${PHASE_LABEL[info.phase].toLowerCase()}${took ? ` in ${took}` : ""}${where}${why}`, max);
};

interface IncidentRecord {
  readonly action: IncidentAction;
  /** The run that sent it. */
  readonly uid: string;
  readonly startedAt?: string;
}

const isRecord = (value: Record<string, unknown> | undefined): value is Record<string, unknown> & IncidentRecord =>
  (value?.action === IncidentAction.Trigger || value?.action === IncidentAction.Resolve) && typeof value.uid === "string";

const startedBefore = (info: PipelineInfo, record: IncidentRecord): boolean => {
  const [ours, theirs] = [Date.parse(info.startedAt ?? ""), Date.parse(record.startedAt ?? "")];
  return Number.isFinite(ours) && Number.isFinite(theirs) && ours < theirs;
};

/** Why nothing is sent for this run, or undefined when the action goes out. */
const reasonToSkip = (action: IncidentAction, info: PipelineInfo, last: IncidentRecord | undefined): string | undefined => {
  if (!last) return undefined;
  // A rerun can finish before the run it replaced: the newer run has the say.
  if (last.uid !== info.uid && startedBefore(info, last)) return `a later run of the same name already sent ${last.action}`;
  if (action === IncidentAction.Resolve && last.action === IncidentAction.Resolve) return "no incident is open for it";
  if (action === IncidentAction.Trigger && last.action === IncidentAction.Trigger && last.uid === info.uid) return "this run already triggered it";
  return undefined;
};

export interface IncidentDeps {
  readonly receiver: string;
  readonly store: ReceiverStore;
  readonly log: Log;
}

/**
 * Sends the run's trigger or resolve through `send` unless it would change
 * nothing, then remembers it. A failed send leaves the memory as it was, so
 * the retry sends again.
 */
export const syncIncident = async (
  deps: IncidentDeps,
  info: PipelineInfo,
  send: (action: IncidentAction, key: string) => Promise<void>,
): Promise<void> => {
  const action = incidentActionOf(info.phase);
  if (action === undefined) {
    deps.log.debug(`receiver ${deps.receiver}: nothing to send for ${info.id}: a ${PHASE_LABEL[info.phase].toLowerCase()} run neither opens nor closes an incident`);
    return;
  }
  const key = incidentKey(info);
  const memoryKey = `incident/${deps.receiver}/${key}`;
  const stored = await deps.store.get(memoryKey);
  const skip = reasonToSkip(action, info, isRecord(stored) ? stored : undefined);
  if (skip) {
    deps.log.debug(`receiver ${deps.receiver}: no ${action} of ${key} for ${info.id}: ${skip}`);
    return;
  }
  await send(action, key);
  const record: IncidentRecord = { action, uid: info.uid, ...(info.startedAt ? { startedAt: info.startedAt } : {}) };
  await deps.store.put(memoryKey, { ...record });
};
