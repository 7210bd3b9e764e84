/**
 * argoproj.io/v1alpha1 Workflow → run.
 *
 * Argo keeps one `status.phase` for the workflow and one per node in
 * `status.nodes` (a map keyed by node id). Workflow phases are Pending,
 * Running, Succeeded, Failed and Error; nodes add Skipped and Omitted.
 * https://argo-workflows.readthedocs.io/en/latest/fields/#workflowstatus
 * https://argo-workflows.readthedocs.io/en/latest/fields/#nodestatus
 */
import { isTerminal, PipelinePhase, type NormalisedRun, type Stage } from "../types";
import { record, runOf, text, type CheckedObject, type JsonObject } from "./read";

export const ArgoPhase = {
  Pending: "Pending",
  Running: "Running",
  Succeeded: "Succeeded",
  Failed: "Failed",
  Error: "Error",
  Skipped: "Skipped",
  Omitted: "Omitted",
} as const;

/**
 * `Error` is Argo's word for a failure of the machinery rather than of the
 * user's code (invalid spec, pod deleted, controller error).
 * https://argo-workflows.readthedocs.io/en/latest/workflow-concepts/#the-workflow
 */
const PHASES: Readonly<Record<string, PipelinePhase>> = {
  [ArgoPhase.Pending]: PipelinePhase.Pending,
  [ArgoPhase.Running]: PipelinePhase.Running,
  [ArgoPhase.Succeeded]: PipelinePhase.Succeeded,
  [ArgoPhase.Failed]: PipelinePhase.Failed,
  [ArgoPhase.Error]: PipelinePhase.Errored,
};

/** Node phases for work that never ran: when-conditions false, or DAG tasks whose dependencies did not allow them. */
const NOT_RUN = new Set<string>([ArgoPhase.Skipped, ArgoPhase.Omitted]);

/**
 * The message set when `activeDeadlineSeconds` passes, for the workflow or a
 * template, is "Step exceeded its deadline"; Argo has no separate phase for it.
 * https://argo-workflows.readthedocs.io/en/latest/walk-through/timeouts/
 */
const DEADLINE = /deadline/i;

/**
 * `argo stop` and `argo terminate` set `spec.shutdown` (Stop or Terminate);
 * the workflow then ends Failed with "Stopped with strategy 'Terminate'".
 * https://argo-workflows.readthedocs.io/en/latest/fields/#workflowspec
 */
const STOPPED_BY_SHUTDOWN = /^Stopped with strategy/;

interface PhaseInput {
  phase?: string;
  message?: string;
  startedAt?: string;
  shutdown: boolean;
}

/**
 * A deadline is checked before shutdown: a run that timed out and was then
 * stopped by hand still timed out, and its message says so.
 */
const phaseOf = ({ phase, message, startedAt, shutdown }: PhaseInput): PipelinePhase => {
  // Own keys only: a phase named "toString" must not find Object.prototype.
  const mapped = phase === undefined || !Object.hasOwn(PHASES, phase) ? undefined : PHASES[phase];
  if (mapped === undefined) {
    // No phase yet: the controller has not picked the workflow up.
    return startedAt === undefined ? PipelinePhase.Pending : PipelinePhase.Running;
  }
  if (mapped !== PipelinePhase.Failed) return mapped;
  if (message !== undefined && DEADLINE.test(message)) return PipelinePhase.TimedOut;
  if (shutdown || (message !== undefined && STOPPED_BY_SHUTDOWN.test(message))) return PipelinePhase.Cancelled;
  return PipelinePhase.Failed;
};

/** Argo leaves `finishedAt: null` on running nodes; only a finished phase keeps it. */
const finished = (phase: PipelinePhase, at: unknown): string | undefined =>
  phase === PipelinePhase.Pending || phase === PipelinePhase.Running ? undefined : text(at);

/**
 * One stage per Pod node: Steps, DAG, Retry and StepGroup nodes only group
 * pods, and a retried step shows as one pod node per attempt (`build(0)`,
 * `build(1)`). The map has no order, so stages are sorted by start time.
 */
const podStages = (status: JsonObject): Stage[] => {
  const stages: Stage[] = [];
  for (const node of Object.values(record(status.nodes))) {
    const entry = record(node);
    if (entry.type !== "Pod") continue;
    const rawPhase = text(entry.phase);
    if (rawPhase !== undefined && NOT_RUN.has(rawPhase)) continue;
    const name = text(entry.displayName) ?? text(entry.name);
    if (name === undefined) continue;
    const message = text(entry.message);
    const startedAt = text(entry.startedAt);
    const phase = phaseOf({ phase: rawPhase, message, startedAt, shutdown: false });
    stages.push({ name, phase, startedAt, finishedAt: finished(phase, entry.finishedAt), message });
  }
  return stages.sort(
    (a, b) => (a.startedAt ?? "\uffff").localeCompare(b.startedAt ?? "\uffff") || a.name.localeCompare(b.name),
  );
};

/**
 * The label the CronWorkflow controller puts on every Workflow it starts
 * (argo-workflows workflow/common/common.go `LabelKeyCronWorkflow`); its
 * value is the CronWorkflow's name. The Workflow itself is named from
 * `generateName: <cronworkflow>-`, so it differs on every run.
 */
export const CRON_WORKFLOW_LABEL = "workflows.argoproj.io/cron-workflow";

/**
 * What the workflow was started from: its CronWorkflow, else the
 * WorkflowTemplate or ClusterWorkflowTemplate `spec.workflowTemplateRef`
 * names (`clusterScope: true` for the cluster-scoped kind). A CronWorkflow
 * whose spec refers to a template is still named after the CronWorkflow:
 * that is what schedules it, and what people look for.
 * https://argo-workflows.readthedocs.io/en/latest/fields/#workflowtemplateref
 */
const templateOf = (obj: CheckedObject): NormalisedRun["template"] => {
  const cron = obj.metadata.labels[CRON_WORKFLOW_LABEL]?.trim();
  if (cron) return { kind: "CronWorkflow", name: cron };
  const ref = record(obj.spec.workflowTemplateRef);
  const name = text(ref.name)?.trim();
  if (!name) return undefined;
  return { kind: ref.clusterScope === true ? "ClusterWorkflowTemplate" : "WorkflowTemplate", name };
};

const workflowPhase = (spec: JsonObject, status: JsonObject): PipelinePhase =>
  phaseOf({ phase: text(status.phase), message: text(status.message), startedAt: text(status.startedAt), shutdown: text(spec.shutdown) !== undefined });

/** Whether the Workflow is over, as normaliseWorkflow's phase says (standingOf, kinds.ts). */
export const workflowFinished = (spec: JsonObject, status: JsonObject): boolean => isTerminal(workflowPhase(spec, status));

export function normaliseWorkflow(obj: CheckedObject): NormalisedRun {
  const { status, spec } = obj;
  const message = text(status.message);
  const startedAt = text(status.startedAt);
  const phase = workflowPhase(spec, status);
  return runOf(obj, {
    phase,
    stages: podStages(status),
    startedAt,
    finishedAt: finished(phase, status.finishedAt),
    message,
    template: templateOf(obj),
  });
}
