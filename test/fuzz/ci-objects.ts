/**
 * Arbitraries for the CI objects the relay watches, shaped as their
 * controllers write them: Tekton PipelineRuns (v1 childReferences, v1beta1
 * taskRuns and runs maps, skipped tasks, finally tasks) and TaskRuns (steps,
 * retries), Jobs with conditions and a CronJob owner, Argo Workflows with
 * nodes. Every object also carries fields nobody reads (embedded specs,
 * provenance, pod templates), and now and then a field holds any JSON, so
 * that slimming is tried on what it drops as well as on what it keeps.
 *
 * Free text stays within slimming's bounds (`SlimLimit`), sometimes exactly
 * at them: beyond them slimming cuts messages on purpose.
 */
import fc from "fast-check";
import { SlimLimit } from "../../shared/envelope";
import type { KubeObject } from "../../shared/envelope";
import { json } from "./arbitraries";

/** Mostly the given shape, sometimes any JSON in its place. */
const usually = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary, weight: 9 }, { arbitrary: json, weight: 1 });

const optional = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) => fc.record(fields, { requiredKeys: [] });

const dnsName = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/);
const time = fc.integer({ min: 0, max: 86_400 * 30 }).map((s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString().replace(".000", ""));

/** Prose of any size the relay keeps whole, including the largest. */
const message = (max: number) =>
  fc.oneof(fc.string({ maxLength: 80 }), fc.constant("m".repeat(max)), fc.constant("😀".repeat(max / 2)));
const conditionMessage = message(SlimLimit.messageChars);

/** Fields slimming must drop; their presence must change nothing a normaliser says. */
const unread = optional({ provenance: json, results: json, taskSpec: json, extra: json });

const condition = (types: readonly string[], reasons: readonly string[]) =>
  optional({
    type: fc.constantFrom(...types),
    status: fc.constantFrom("True", "False", "Unknown"),
    reason: fc.constantFrom(...reasons),
    message: conditionMessage,
    lastTransitionTime: time,
    severity: fc.constant(""),
  });
const conditions = (types: readonly string[], reasons: readonly string[]) =>
  usually(fc.array(usually(condition(types, reasons)), { maxLength: 3 }));

const metadata = (labels: Record<string, fc.Arbitrary<string>>, owner: fc.Arbitrary<Record<string, unknown>>) =>
  fc.record({
    name: dnsName,
    namespace: fc.constantFrom("ci", "default"),
    uid: fc.uuid(),
    resourceVersion: fc.nat().map(String),
    generateName: fc.option(dnsName.map((n) => `${n}-`), { nil: undefined }),
    labels: optional(labels),
    annotations: optional({
      "commit-status.argoproj.io/sha": fc.stringMatching(/^[0-9a-f]{40}$/),
      "commit-status.argoproj.io/repo-url": fc.constantFrom("https://github.com/acme/shop", "git@gitlab.com:acme/ops.git"),
      "pipelinesascode.tekton.dev/original-prname": dnsName,
      "results.tekton.dev/record": dnsName,
    }),
    ownerReferences: fc.array(owner, { maxLength: 2 }),
    managedFields: fc.array(json, { maxLength: 2 }),
  }).map(({ generateName, ...rest }) => (generateName === undefined ? rest : { ...rest, generateName }));

// Tekton ---------------------------------------------------------------------

const TEKTON_REASONS = [
  "Succeeded", "Completed", "Failed", "Running", "Started", "Pending", "ToBeRetried",
  "PipelineRunCancelled", "Cancelled", "CancelledRunFinally", "StoppedRunFinally", "TaskRunCancelled",
  "PipelineRunTimeout", "TaskRunTimeout", "PipelineRunPending", "CouldntGetPipeline", "PipelineValidationFailed",
] as const;
const tektonConditions = conditions(["Succeeded"], TEKTON_REASONS);
const TASKS = ["build", "test", "lint", "deploy", "notify"] as const;
const tektonVersion = fc.constantFrom("tekton.dev/v1", "tekton.dev/v1beta1");

const step = optional({
  name: fc.constantFrom("clone", "compile", "unit", "push"),
  container: fc.constantFrom("step-clone", "step-compile", "step-unit"),
  imageID: fc.constant("docker.io/library/alpine@sha256:00"),
  terminationReason: fc.constantFrom("Completed", "Error", "Skipped", "TaskRunCancelled", "TaskRunTimeout"),
  terminated: usually(optional({
    reason: fc.constantFrom("Completed", "Error", "OOMKilled", "TaskRunImagePullFailed"),
    exitCode: fc.integer({ min: 0, max: 255 }),
    message: message(SlimLimit.stepMessageChars),
    startedAt: time,
    finishedAt: time,
    containerID: fc.constant("containerd://0"),
  })),
  running: usually(optional({ startedAt: time })),
  waiting: usually(optional({ reason: fc.constantFrom("PodInitializing", "ImagePullBackOff"), message: conditionMessage })),
});

const runOutcome = { conditions: tektonConditions, startTime: time, completionTime: time };

const taskRunStatus = optional({
  ...runOutcome,
  podName: dnsName,
  steps: usually(fc.array(usually(step), { maxLength: 4 })),
  sidecars: json,
  taskSpec: json,
});

/** A TaskRun with retries: each past attempt is a whole TaskRun status, as Tekton stores it. */
export const taskRunArb: fc.Arbitrary<KubeObject> = fc
  .record({
    apiVersion: tektonVersion,
    metadata: metadata(
      { "tekton.dev/pipelineRun": dnsName, "tekton.dev/pipelineTask": fc.constantFrom(...TASKS) },
      optional({ apiVersion: fc.constant("tekton.dev/v1"), kind: fc.constant("PipelineRun"), name: dnsName, uid: fc.uuid(), controller: fc.boolean() }),
    ),
    spec: optional({ retries: fc.nat({ max: 12 }), timeout: fc.constant("1h0m0s"), status: fc.constant("TaskRunCancelled"), taskRef: json, params: json }),
    status: fc.tuple(taskRunStatus, unread, fc.array(usually(taskRunStatus), { maxLength: SlimLimit.retriesKept })).map(
      ([status, extra, retriesStatus]) => ({ ...status, ...extra, ...(retriesStatus.length ? { retriesStatus } : {}) }),
    ),
  })
  .map((run) => ({ kind: "TaskRun", ...run }) as KubeObject);

/** A v1beta1 embedded child, keyed by its TaskRun's (or Run's) name. */
const embeddedChildren = fc.dictionary(
  dnsName,
  usually(optional({ pipelineTaskName: fc.constantFrom(...TASKS), status: usually(taskRunStatus), whenExpressions: json })),
  { maxKeys: 4 },
);

const childReference = optional({
  apiVersion: fc.constant("tekton.dev/v1"),
  kind: fc.constantFrom("TaskRun", "CustomRun"),
  name: dnsName,
  pipelineTaskName: fc.constantFrom(...TASKS),
  whenExpressions: json,
});

const skippedTask = optional({
  name: fc.constantFrom(...TASKS),
  reason: fc.constantFrom("When Expressions evaluated to false", "Parent Tasks were skipped"),
  whenExpressions: json,
});

const pipelineTasks = fc.array(optional({ name: fc.constantFrom(...TASKS), taskRef: json, params: json }), { maxLength: 3 });

export const pipelineRunArb: fc.Arbitrary<KubeObject> = fc
  .record({
    apiVersion: tektonVersion,
    metadata: metadata({ "tekton.dev/pipeline": dnsName }, fc.constant({ apiVersion: "v1", kind: "Repository", name: "shop", uid: "r" })),
    spec: optional({
      status: fc.constantFrom("PipelineRunPending", "Cancelled", "CancelledRunFinally", "StoppedRunFinally"),
      timeouts: json,
      timeout: fc.constant("1h0m0s"),
      pipelineRef: usually(optional({ name: dnsName, resolver: fc.constant("git"), params: json })),
      params: json,
    }),
    status: optional({
      ...runOutcome,
      childReferences: usually(fc.array(usually(childReference), { maxLength: 4 })),
      taskRuns: usually(embeddedChildren),
      runs: usually(embeddedChildren),
      skippedTasks: usually(fc.array(skippedTask, { maxLength: 2 })),
      pipelineSpec: usually(optional({ tasks: pipelineTasks, finally: pipelineTasks, params: json })),
      provenance: json,
    }),
  })
  .map((run) => ({ kind: "PipelineRun", ...run }) as KubeObject);

// Jobs and Workflows ---------------------------------------------------------

const JOB_TYPES = ["Complete", "SuccessCriteriaMet", "Failed", "FailureTarget", "Suspended"] as const;
const JOB_REASONS = ["CompletionsReached", "BackoffLimitExceeded", "DeadlineExceeded", "PodFailurePolicy", "JobSuspended"] as const;

export const jobArb: fc.Arbitrary<KubeObject> = fc
  .record({
    metadata: metadata(
      { "batch.kubernetes.io/job-name": dnsName },
      optional({
        apiVersion: fc.constant("batch/v1"),
        kind: fc.constant("CronJob"),
        name: dnsName,
        uid: fc.uuid(),
        controller: fc.constant(true),
        blockOwnerDeletion: fc.constant(true),
      }),
    ),
    spec: optional({ suspend: fc.boolean(), backoffLimit: fc.nat({ max: 6 }), completions: fc.nat({ max: 3 }), template: json }),
    status: optional({
      conditions: conditions(JOB_TYPES, JOB_REASONS),
      active: fc.nat({ max: 3 }),
      failed: fc.nat({ max: 3 }),
      succeeded: fc.nat({ max: 3 }),
      ready: fc.nat({ max: 3 }),
      startTime: time,
      completionTime: time,
      uncountedTerminatedPods: json,
    }),
  })
  .map((job) => ({ apiVersion: "batch/v1", kind: "Job", ...job }) as KubeObject);

const ARGO_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Error", "Skipped", "Omitted"] as const;
const argoMessage = fc.oneof(conditionMessage, fc.constantFrom("Step exceeded its deadline", "Stopped with strategy 'Terminate'"));

const node = optional({
  id: dnsName,
  name: dnsName,
  displayName: fc.constantFrom("build", "test", "build(0)", "build(1)"),
  type: fc.constantFrom("Pod", "DAG", "Steps", "StepGroup", "Retry", "Skipped"),
  phase: fc.constantFrom(...ARGO_PHASES),
  templateName: dnsName,
  boundaryID: dnsName,
  startedAt: time,
  finishedAt: fc.oneof(time, fc.constant(null)),
  message: argoMessage,
  children: json,
  outputs: json,
});

export const workflowArb: fc.Arbitrary<KubeObject> = fc
  .record({
    metadata: metadata(
      { "workflows.argoproj.io/cron-workflow": dnsName, "workflows.argoproj.io/completed": fc.constantFrom("true", "false") },
      optional({ apiVersion: fc.constant("argoproj.io/v1alpha1"), kind: fc.constant("CronWorkflow"), name: dnsName, uid: fc.uuid() }),
    ),
    spec: optional({
      shutdown: fc.constantFrom("Stop", "Terminate"),
      activeDeadlineSeconds: fc.nat(),
      workflowTemplateRef: usually(optional({ name: dnsName, clusterScope: fc.boolean() })),
      templates: json,
    }),
    status: optional({
      phase: fc.constantFrom(...ARGO_PHASES),
      message: argoMessage,
      startedAt: time,
      finishedAt: fc.oneof(time, fc.constant(null)),
      progress: fc.constant("1/2"),
      nodes: usually(fc.dictionary(dnsName, usually(node), { maxKeys: 5 })),
      storedTemplates: json,
    }),
  })
  .map((workflow) => ({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", ...workflow }) as KubeObject);
