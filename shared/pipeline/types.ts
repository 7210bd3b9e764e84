/** The overall phase of a CI run, whatever kind of object it came from. */
export const PipelinePhase = {
  Pending: "pending",
  Running: "running",
  Succeeded: "succeeded",
  Failed: "failed",
  Errored: "errored",
  Cancelled: "cancelled",
  TimedOut: "timed_out",
  /** A stage that never ran: a Tekton task skipped by its `when` expressions or after a failure. Never a run's phase. */
  Skipped: "skipped",
} as const;
export type PipelinePhase = (typeof PipelinePhase)[keyof typeof PipelinePhase];

export const TERMINAL_PHASES: ReadonlySet<PipelinePhase> = new Set([
  PipelinePhase.Succeeded,
  PipelinePhase.Failed,
  PipelinePhase.Errored,
  PipelinePhase.Cancelled,
  PipelinePhase.TimedOut,
  PipelinePhase.Skipped,
]);

export const isTerminal = (phase: PipelinePhase): boolean => TERMINAL_PHASES.has(phase);

/**
 * Rank used to recognise stale or reordered events: a state never moves to a
 * lower rank. All terminal phases share the top rank (the first one seen wins).
 */
export const phaseRank = (phase: PipelinePhase): number =>
  phase === PipelinePhase.Pending ? 0 : phase === PipelinePhase.Running ? 1 : 2;

export interface Stage {
  name: string;
  phase: PipelinePhase;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  /**
   * Why the stage ended, in its controller's own word: a Tekton step's
   * `terminated` reason (`Error`, `OOMKilled`, `TimeoutExceeded`), a Job
   * condition's (`BackoffLimitExceeded`, `DeadlineExceeded`). `message` says it in prose.
   */
  reason?: string;
  /** The exit code of the container that ended the stage: a Tekton step, or for a task the step that failed it. */
  exitCode?: number;
  /** For a stage made of steps (a Tekton task): the step that failed it. */
  step?: string;
  /** `processing.stageUrl` rendered for this stage; set on what receivers get, never stored. */
  url?: string;
  /** The phase was taken from the finished run's own status, not seen on the stage itself. */
  inferred?: true;
}

export interface GitContext {
  repoUrl?: string;
  provider?: string;
  host?: string;
  owner?: string;
  repo?: string;
  sha?: string;
  ref?: string;
  pr?: string;
  /**
   * The repository the commit lives in, when it is not `repoUrl`'s: the fork
   * a merge request comes from (credentials removed). Absent for a request
   * from a branch of the same repository and for pushes.
   */
  sourceRepoUrl?: string;
}

export interface PipelineInfo {
  /** `cluster/namespace/name` */
  id: string;
  uid: string;
  cluster: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  /** `metadata.generateName`: runs made from one template share it (a stable status name). */
  generateName?: string;
  /**
   * What each run of this kind is started from, the name people look for:
   * a Job's CronJob, an Argo Workflow's CronWorkflow or WorkflowTemplate.
   * The default `{{name}}` of status names.
   */
  template?: { kind: string; name: string };
  phase: PipelinePhase;
  stages: Stage[];
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  dashboardUrl?: string;
  git?: GitContext;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What a normaliser reads off one object; the rest of PipelineInfo is filled in by the caller. */
export type NormalisedRun = Omit<PipelineInfo, "id" | "cluster" | "dashboardUrl" | "git"> & {
  /** For a child object (a Tekton TaskRun of a PipelineRun): the parent's name, so its stage joins the parent's run. */
  parent?: { kind: string; name: string; uid?: string };
};
