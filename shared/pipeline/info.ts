import type { KubeObject } from "../envelope";
import { gitContext } from "./git";
import { PipelinePhase, isTerminal, type NormalisedRun, type PipelineInfo } from "./types";

const render = (template: string, values: Record<string, string>): string =>
  template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => encodeURIComponent(values[key] ?? ""));

/** The variables of `processing.dashboardUrl`; `processing.stageUrl` adds `{{stage}}`. */
const linkValues = (run: Pick<PipelineInfo, "cluster" | "namespace" | "name" | "kind" | "uid">): Record<string, string> => ({
  cluster: run.cluster,
  namespace: run.namespace,
  name: run.name,
  kind: run.kind.toLowerCase(),
  uid: run.uid,
});

/**
 * The run with `processing.stageUrl` rendered on each stage, as receivers
 * get it. Rendered per call rather than stored: a child's stage joins the
 * run's state later, and a changed template applies at once.
 */
export const withStageLinks = (info: PipelineInfo, stageUrl: string | undefined): PipelineInfo =>
  stageUrl ? { ...info, stages: info.stages.map((stage) => ({ ...stage, url: render(stageUrl, { ...linkValues(info), stage: stage.name }) })) } : info;

/** Completes a normalised run into the PipelineInfo receivers see. */
export const toPipelineInfo = (
  cluster: string,
  run: NormalisedRun,
  options: { dashboardUrl?: string | undefined; deleted?: boolean } = {},
): PipelineInfo => {
  const { parent: _parent, ...fields } = run;
  const git = gitContext(run.annotations, run.labels);
  // A run deleted before it finished will never finish: it was cancelled.
  const cancelled = options.deleted === true && !isTerminal(run.phase);
  return {
    ...fields,
    id: `${cluster}/${run.namespace}/${run.name}`,
    cluster,
    ...(cancelled ? { phase: PipelinePhase.Cancelled, finishedAt: run.finishedAt ?? new Date().toISOString() } : {}),
    ...(git ? { git } : {}),
    ...(options.dashboardUrl ? { dashboardUrl: render(options.dashboardUrl, linkValues({ ...run, cluster })) } : {}),
  };
};

/** The uid of the object's controlling owner of `kind`, if any (a TaskRun's PipelineRun). */
export const ownerUid = (object: KubeObject, kind: string): string | undefined => {
  const refs = (object.metadata as { ownerReferences?: unknown }).ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  const ref = refs.find((r: { kind?: unknown; uid?: unknown }) => r?.kind === kind && typeof r.uid === "string") as
    | { uid: string }
    | undefined;
  return ref?.uid;
};
