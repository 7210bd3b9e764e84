/**
 * The kinds other than Tekton's: batch/v1 Jobs and Argo Workflows, and the
 * fallbacks for our own kinds and any other kind named in config.
 */
import { SlimLimit, boundedText, eachValue, fields, isRecord, shape, slimConditions, type Fields, type Slimmed } from "./slim-fields";

/**
 * batch/v1 Job: the conditions decide the phase and carry the failure
 * message; the counters say that failed pods are being retried. The owning
 * CronJob, which names the run, is in the metadata. Dropped: the pod template.
 * https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
 */
export const slimJob = (spec: unknown, status: unknown): Slimmed => ({
  spec: shape(spec, ["suspend", "backoffLimit", "completions"]),
  status: shape(status, ["conditions", "active", "succeeded", "failed", "ready", "startTime", "completionTime"], {
    conditions: slimConditions,
  }),
});

const message = (value: unknown): string | undefined => boundedText(value, SlimLimit.messageChars);

/**
 * One node of `status.nodes`. `boundaryID` and `templateName` place a pod in
 * its DAG or steps template (an exit handler, a retried step); the rest
 * makes the stage.
 * https://argo-workflows.readthedocs.io/en/latest/fields/#nodestatus
 */
const slimNode = (node: Fields): Fields =>
  fields(
    node,
    ["id", "name", "displayName", "type", "phase", "templateName", "boundaryID", "startedAt", "finishedAt", "message"],
    { message },
  );

/**
 * Argo Workflow: the workflow's phase and message, how it was started (a
 * WorkflowTemplate, whose name names the run) or stopped (`spec.shutdown`),
 * and per node what makes a stage. Dropped: templates, arguments, inputs
 * and outputs, children lists, resource durations, the stored workflow spec.
 * https://argo-workflows.readthedocs.io/en/latest/fields/#workflowstatus
 */
export const slimWorkflow = (spec: unknown, status: unknown): Slimmed => ({
  spec: shape(spec, ["shutdown", "activeDeadlineSeconds", "workflowTemplateRef"], {
    workflowTemplateRef: (ref) => shape(ref, ["name", "clusterScope"]),
  }),
  status: shape(status, ["phase", "startedAt", "finishedAt", "message", "progress", "nodes"], {
    message,
    nodes: (nodes) => eachValue(nodes, slimNode),
  }),
});

/** Our own kinds (CommitStatus, GitRepo) are small and their handlers read all of them. */
export const slimWhole = (spec: unknown, status: unknown): Slimmed => ({
  spec: isRecord(spec) ? spec : undefined,
  status: isRecord(status) ? status : undefined,
});

/** Any other kind named in config: its conditions and phase are all a generic handler can know. */
export const slimGeneric = (_spec: unknown, status: unknown): Slimmed => ({
  spec: undefined,
  status: shape(status, ["conditions", "phase"], { conditions: slimConditions }),
});
