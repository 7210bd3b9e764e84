/**
 * The Alert API bodies (https://docs.opsgenie.com/docs/alert-api): create an
 * alert whose `alias` is derived from the incident key, close it by that
 * alias. Field limits are the API's: message 130 characters, alias 512,
 * description 15000, at most 20 tags of 50 characters, details 8000
 * characters in all.
 */
import { createHash } from "node:crypto";
import type { PipelineInfo } from "../../pipeline/types";
import { commitText, commitUrl, failureOf, limitLines, stageStatus, truncate } from "../format";
import { incidentSummary } from "../incident";

export const OpsgeniePriority = ["P1", "P2", "P3", "P4", "P5"] as const;
export type OpsgeniePriority = (typeof OpsgeniePriority)[number];

export const MESSAGE_MAX = 130;
const DESCRIPTION_MAX = 15_000;
const DETAIL_MAX = 1000;
const STAGES_MAX = 100;
export const TAGS_MAX = 20;
export const TAG_MAX = 50;
const SOURCE = "kube-feedback";

/**
 * The alias goes into the close request's path, and an incident key holds
 * slashes (`kube-feedback/prod/ci/build`) that proxies and the API decode
 * before routing. A hash of the key is safe in a path and as unique; the
 * readable key is in the alert's details (`incident`).
 */
export const aliasOf = (incidentKey: string): string =>
  `kube-feedback-${createHash("sha256").update(incidentKey).digest("hex").slice(0, 40)}`;

/** Markdown-free text: Opsgenie shows the description as typed. */
const description = (info: PipelineInfo): string => {
  const lines = [incidentSummary(info, DESCRIPTION_MAX)];
  const commit = commitText(info.git);
  if (commit) lines.push(`Commit: ${commit}${commitUrl(info.git) ? ` ${commitUrl(info.git)}` : ""}`);
  if (info.dashboardUrl) lines.push(`Run: ${info.dashboardUrl}`);
  if (info.stages.length > 0) lines.push("", "Stages:", ...limitLines(info.stages.map((s) => `- ${s.name}: ${stageStatus(s)}`), STAGES_MAX));
  return truncate(lines.join("\n"), DESCRIPTION_MAX);
};

/** Opsgenie's details are strings only. */
const details = (info: PipelineInfo, incidentKey: string): Record<string, string> => {
  const failure = failureOf(info);
  const commit = commitText(info.git);
  return {
    incident: incidentKey,
    run: info.name,
    kind: info.kind,
    cluster: info.cluster,
    namespace: info.namespace,
    phase: info.phase,
    ...(failure?.stage ? { failedStage: failure.stage } : {}),
    ...(failure?.reason ? { reason: truncate(failure.reason, DETAIL_MAX) } : {}),
    ...(commit ? { commit } : {}),
    ...(info.dashboardUrl ? { dashboard: info.dashboardUrl } : {}),
  };
};

export interface AlertSettings {
  readonly priority: OpsgeniePriority;
  readonly tags: readonly string[];
  /** A template's text in place of the default message. */
  readonly message?: string | undefined;
}

export const createAlert = (incidentKey: string, info: PipelineInfo, settings: AlertSettings) => ({
  message: settings.message === undefined ? incidentSummary(info, MESSAGE_MAX) : truncate(settings.message, MESSAGE_MAX),
  alias: aliasOf(incidentKey),
  description: description(info),
  // The namespace on its cluster: what the alert is about, as Opsgenie's entity field means it.
  entity: `${info.cluster}/${info.namespace}`,
  source: SOURCE,
  priority: settings.priority,
  tags: [...new Set([SOURCE, ...settings.tags])].slice(0, TAGS_MAX),
  details: details(info, incidentKey),
});

export const closeAlert = (info: PipelineInfo) => ({
  source: SOURCE,
  note: truncate(`${info.kind} ${info.namespace}/${info.name} succeeded`, 1000),
});
