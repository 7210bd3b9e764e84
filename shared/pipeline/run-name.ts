/**
 * A run's stable name: what stays the same across reruns of one pipeline,
 * and the status name built from it. The `scm` receiver names its commit
 * statuses with it, incident receivers group alerts by it, and a receiver's
 * `when` condition finds the previous run of the same pipeline by it.
 */
import type { PipelineInfo } from "./types";

export const DEFAULT_STATUS_NAME = "{{namespace}}/{{name}}";
export const STATUS_NAME_VARIABLES = ["cluster", "namespace", "name", "run", "kind"] as const;
export const STATUS_NAME_ANNOTATION = "commit-status.argoproj.io/status-name";
const TEKTON_PIPELINE_LABEL = "tekton.dev/pipeline";
const VARIABLE = /\{\{\s*([^{}\s]*)\s*\}\}/g;

/** The variables a template names that do not exist; empty when it is valid. */
export const unknownVariables = (template: string): string[] =>
  [...template.matchAll(VARIABLE)].map((m) => m[1] ?? "").filter((name) => !(STATUS_NAME_VARIABLES as readonly string[]).includes(name));

/**
 * The API server's generateName suffix: five characters from an alphabet
 * without vowels and look-alike digits (k8s.io/apiserver names.SimpleNameGenerator,
 * utilrand.String). Used only when the run's generateName is not known.
 */
const GENERATED_SUFFIX = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

export interface RunNaming {
  readonly kind: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `metadata.generateName`, when the pipeline layer carries it. */
  readonly generateName?: string;
  /** What the run was started from (a Job's CronJob, a Workflow's CronWorkflow or WorkflowTemplate). */
  readonly template?: { readonly kind: string; readonly name: string };
}

/**
 * The run's name without what makes each rerun unique, so a status keeps its
 * name across reruns and branch protection can require it: the name of what
 * started the run (a CronJob names its Jobs `<cronjob>-<minute>`, a
 * CronWorkflow or WorkflowTemplate its Workflows from `generateName`), else a
 * PipelineRun's `tekton.dev/pipeline` label (Tekton sets it to the
 * PipelineRun's own name for an embedded spec, which is then no help), else
 * the name minus the part after `generateName`, else minus a suffix that
 * looks generated.
 */
export const stableRunName = (run: RunNaming): string => {
  const template = run.template?.name.trim();
  if (template) return template;
  const pipeline = run.labels[TEKTON_PIPELINE_LABEL]?.trim();
  if (run.kind === "PipelineRun" && pipeline && pipeline !== run.name) return pipeline;
  const prefix = run.generateName;
  if (prefix) {
    if (!run.name.startsWith(prefix) || run.name.length === prefix.length) return run.name;
    return prefix.replace(/[-.]+$/, "") || run.name;
  }
  return GENERATED_SUFFIX.exec(run.name)?.[1] ?? run.name;
};

/**
 * The status name: the run's `commit-status.argoproj.io/status-name`
 * annotation when set, else the template with `{{cluster}}`,
 * `{{namespace}}`, `{{name}}` (stable across reruns: `stableRunName`),
 * `{{run}}` (the full name) and `{{kind}}` filled in.
 */
export const statusName = (template: string, info: Pick<PipelineInfo, "cluster" | "namespace" | "annotations"> & RunNaming): string => {
  const chosen = info.annotations[STATUS_NAME_ANNOTATION]?.trim();
  if (chosen) return chosen;
  const values: Record<(typeof STATUS_NAME_VARIABLES)[number], string> = {
    cluster: info.cluster,
    namespace: info.namespace,
    name: stableRunName(info),
    run: info.name,
    kind: info.kind.toLowerCase(),
  };
  return template.replace(VARIABLE, (_, key: string) => (Object.hasOwn(values, key) ? values[key as keyof typeof values] : "")).trim();
};
