/**
 * The Events API v2 bodies
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ and
 * …/resolve-events/): a trigger carries the run as the alert's payload, a
 * resolve only the routing and dedup keys.
 */
import type { PipelineInfo } from "../../pipeline/types";
import { commitText, commitUrl, failureOf, stageStatus, truncate } from "../format";
import { incidentSummary } from "../incident";
import { stableRunName } from "../../pipeline/run-name";

export const PagerDutySeverity = ["critical", "error", "warning", "info"] as const;
export type PagerDutySeverity = (typeof PagerDutySeverity)[number];

/** `payload.summary` is cut at 1024 characters by the API; we cut first so the end is ours (`…`). */
export const SUMMARY_MAX = 1024;
/** Alert details stay readable in the incident view and in notifications; the dashboard has the rest. */
const DETAIL_MAX = 500;
const STAGES_MAX = 50;

interface Link {
  href: string;
  text: string;
}

const stageDetails = (info: PipelineInfo): Record<string, string> => {
  const shown = info.stages.slice(0, STAGES_MAX);
  const details = Object.fromEntries(shown.map((s) => [s.name, stageStatus(s)]));
  if (info.stages.length > STAGES_MAX) details["…"] = `and ${info.stages.length - STAGES_MAX} more stages`;
  return details;
};

/** What the incident's alert shows under "Custom details". */
const customDetails = (info: PipelineInfo): Record<string, unknown> => {
  const failure = failureOf(info);
  const commit = commitText(info.git);
  return {
    run: info.name,
    kind: info.kind,
    cluster: info.cluster,
    namespace: info.namespace,
    phase: info.phase,
    ...(failure?.stage ? { failed_stage: failure.stage } : {}),
    ...(failure?.reason ? { reason: truncate(failure.reason, DETAIL_MAX) } : {}),
    ...(commit ? { commit } : {}),
    ...(info.stages.length > 0 ? { stages: stageDetails(info) } : {}),
  };
};

const linksOf = (info: PipelineInfo): Link[] => {
  const links: Link[] = [];
  if (info.dashboardUrl) links.push({ href: info.dashboardUrl, text: "View run" });
  const commit = commitUrl(info.git);
  if (commit) links.push({ href: commit, text: `Commit ${commitText(info.git) ?? ""}`.trim() });
  return links;
};

/** `summary`: a template's text in place of the default summary line. */
export const triggerEvent = (routingKey: string, dedupKey: string, info: PipelineInfo, severity: PagerDutySeverity, summary?: string) => ({
  routing_key: routingKey,
  event_action: "trigger" as const,
  dedup_key: dedupKey,
  payload: {
    summary: summary === undefined ? incidentSummary(info, SUMMARY_MAX) : truncate(summary, SUMMARY_MAX),
    // "The unique location of the affected system": the namespace the pipeline runs in, on its cluster.
    source: `${info.cluster}/${info.namespace}`,
    severity,
    ...(info.finishedAt ? { timestamp: info.finishedAt } : {}),
    component: stableRunName(info),
    group: info.namespace,
    class: info.kind,
    custom_details: customDetails(info),
  },
  links: linksOf(info),
  client: "kube-feedback",
  ...(info.dashboardUrl ? { client_url: info.dashboardUrl } : {}),
});

export const resolveEvent = (routingKey: string, dedupKey: string) => ({
  routing_key: routingKey,
  event_action: "resolve" as const,
  dedup_key: dedupKey,
});
