/**
 * Synthetic CI lifecycles for the chaos run and the benchmarks: batch/v1
 * Jobs, Tekton PipelineRuns with their TaskRuns, and CommitStatus resources,
 * each as the successive full objects a cluster would show. The shapes
 * follow the recordings in recordings/ (conditions, childReferences, owner
 * references, git annotations); only names, uids and outcomes vary.
 */
import type { KubeObject } from "../../../shared/envelope";
import type { SeededRandom } from "./random";

export const LifecycleKind = {
  Job: "Job",
  PipelineRun: "PipelineRun",
  CommitStatus: "CommitStatus",
} as const;
export type LifecycleKind = (typeof LifecycleKind)[keyof typeof LifecycleKind];

export interface Lifecycle {
  kind: LifecycleKind;
  name: string;
  namespace: string;
  uid: string;
  sha: string;
  /** Pipeline phase (`succeeded`, `failed`) or CommitStatus phase (`success`, `failure`) at the end. */
  outcome: string;
  /** The objects written in order; a PipelineRun's list includes its TaskRuns. */
  steps: KubeObject[];
}

export const CI_NAMESPACE = "ci";
export const APPS_NAMESPACE = "apps";
export const REPO = { owner: "example", name: "shop" } as const;
export const GIT_REPO_NAME = "shop";
const T0 = "2026-11-20T10:00:00Z";
const T1 = "2026-11-20T10:00:05Z";
const T2 = "2026-11-20T10:01:00Z";

const gitAnnotations = (sha: string) => ({
  "commit-status.argoproj.io/repo-url": `https://github.com/${REPO.owner}/${REPO.name}`,
  "commit-status.argoproj.io/sha": sha,
  "commit-status.argoproj.io/ref": "refs/heads/main",
  // Large and never read downstream: the relay's slimming drops it.
  "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ apiVersion: "batch/v1", kind: "Job", spec: { template: { spec: {} } } }),
});

/** What the API server adds and the relay drops: the bulk a real object carries. */
const managedFields = [{ manager: "kube-controller-manager", operation: "Update", apiVersion: "batch/v1", time: T0, fieldsType: "FieldsV1", fieldsV1: { "f:status": { "f:active": {}, "f:startTime": {} } } }];

const condition = (type: string, status: string, reason: string) => ({ type, status, reason, message: reason, lastTransitionTime: T2 });

const jobLifecycle = (random: SeededRandom, index: number): Lifecycle => {
  const name = `job-${index}`;
  const uid = random.uid();
  const sha = random.hex(40);
  const succeeded = random.chance(0.8);
  const object = (status?: Record<string, unknown>): KubeObject => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: CI_NAMESPACE, uid, labels: { "app.kubernetes.io/name": "db-migrate" }, annotations: gitAnnotations(sha), managedFields } as KubeObject["metadata"],
    spec: { backoffLimit: 2, completions: 1, parallelism: 1, template: { spec: { restartPolicy: "Never", containers: [{ name: "migrate", image: "registry.example.com/shop/migrate:1.4.2", args: ["up"] }] } } },
    ...(status ? { status } : {}),
  });
  const end = succeeded
    ? { startTime: T1, completionTime: T2, succeeded: 1, conditions: [condition("SuccessCriteriaMet", "True", "CompletionsReached"), condition("Complete", "True", "CompletionsReached")] }
    : { startTime: T1, failed: 3, conditions: [condition("FailureTarget", "True", "BackoffLimitExceeded"), condition("Failed", "True", "BackoffLimitExceeded")] };
  return {
    kind: LifecycleKind.Job,
    name,
    namespace: CI_NAMESPACE,
    uid,
    sha,
    outcome: succeeded ? "succeeded" : "failed",
    // The ready counter changes nothing the handlers read: a no-op event, as real clusters send many.
    steps: [object(), object({ startTime: T1, active: 1 }), object({ startTime: T1, active: 1, ready: 1 }), object(end)],
  };
};

const pipelineRunLifecycle = (random: SeededRandom, index: number): Lifecycle => {
  const name = `build-${index}`;
  const uid = random.uid();
  const sha = random.hex(40);
  const tasks = ["clone", "build", "test"].slice(0, 2 + random.int(2));
  const failing = random.chance(0.2) ? tasks.length - 1 : -1;
  const taskUids = tasks.map(() => random.uid());
  const childReferences = (count: number) =>
    tasks.slice(0, count).map((task) => ({ apiVersion: "tekton.dev/v1", kind: "TaskRun", name: `${name}-${task}`, pipelineTaskName: task }));
  const pipelineRun = (status?: Record<string, unknown>): KubeObject => ({
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: { name, namespace: CI_NAMESPACE, uid, labels: { "app.kubernetes.io/part-of": "shop" }, annotations: gitAnnotations(sha) },
    spec: { pipelineRef: { name: "build-and-test" }, timeouts: { pipeline: "1h0m0s" } },
    ...(status ? { status } : {}),
  });
  const running = (count: number) => pipelineRun({ startTime: T1, conditions: [condition("Succeeded", "Unknown", "Running")], childReferences: childReferences(count) });
  const taskRun = (i: number, done: boolean): KubeObject => {
    const task = tasks[i]!;
    const failed = done && i === failing;
    const step = done ? { name: "run", terminated: { exitCode: failed ? 1 : 0, reason: failed ? "Error" : "Completed", startedAt: T1, finishedAt: T2 } } : { name: "run", running: { startedAt: T1 } };
    const state = done ? condition("Succeeded", failed ? "False" : "True", failed ? "Failed" : "Succeeded") : condition("Succeeded", "Unknown", "Running");
    return {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: `${name}-${task}`,
        namespace: CI_NAMESPACE,
        uid: taskUids[i]!,
        labels: { "tekton.dev/pipelineRun": name, "tekton.dev/pipelineTask": task, "tekton.dev/task": task },
        ownerReferences: [{ apiVersion: "tekton.dev/v1", kind: "PipelineRun", name, uid, controller: true, blockOwnerDeletion: true }],
      } as KubeObject["metadata"],
      spec: { taskRef: { name: task } },
      status: { podName: `${name}-${task}-pod`, startTime: T1, steps: [step], conditions: [state], ...(done ? { completionTime: T2 } : {}) },
    };
  };
  const steps: KubeObject[] = [pipelineRun(), running(1)];
  tasks.forEach((_, i) => {
    if (i > 0) steps.push(running(i + 1));
    steps.push(taskRun(i, false), taskRun(i, true));
  });
  const ok = failing < 0;
  steps.push(
    pipelineRun({
      startTime: T1,
      completionTime: T2,
      conditions: [condition("Succeeded", ok ? "True" : "False", ok ? "Succeeded" : "Failed")],
      childReferences: childReferences(tasks.length),
    }),
  );
  return { kind: LifecycleKind.PipelineRun, name, namespace: CI_NAMESPACE, uid, sha, outcome: ok ? "succeeded" : "failed", steps };
};

const commitStatusLifecycle = (random: SeededRandom, index: number): Lifecycle => {
  const name = `deploy-${index}`;
  const uid = random.uid();
  const sha = random.hex(40);
  const end = random.chance(0.8) ? "success" : "failure";
  const object = (phase: string, description: string): KubeObject => ({
    apiVersion: "commit-status.argoproj.io/v1alpha1",
    kind: "CommitStatus",
    metadata: { name, namespace: APPS_NAMESPACE, uid },
    spec: { gitRepoRef: { name: GIT_REPO_NAME }, sha, name: `deploy/${name}`, description, phase, url: `https://argocd.example.com/applications/${name}` },
  });
  return {
    kind: LifecycleKind.CommitStatus,
    name,
    namespace: APPS_NAMESPACE,
    uid,
    sha,
    outcome: end,
    steps: [object("queued", "waiting for sync"), object("in_progress", "rolling out"), object(end, end === "success" ? "rolled out" : "rollout failed")],
  };
};

export interface WorkloadMix {
  /** Share of PipelineRuns among pipeline lifecycles (the rest are Jobs). */
  pipelineRuns: number;
  /** Share of CommitStatus lifecycles among all. */
  commitStatuses: number;
}

/** `count` lifecycles in the given mix, reproducible for the random source's seed. */
export const buildLifecycles = (random: SeededRandom, count: number, mix: WorkloadMix): Lifecycle[] =>
  Array.from({ length: count }, (_, index) => {
    if (random.chance(mix.commitStatuses)) return commitStatusLifecycle(random, index);
    return random.chance(mix.pipelineRuns) ? pipelineRunLifecycle(random, index) : jobLifecycle(random, index);
  });

export interface ScheduledStep {
  lifecycle: Lifecycle;
  index: number;
  object: KubeObject;
}

/**
 * The steps of all lifecycles interleaved as a busy cluster would show them:
 * up to `concurrency` runs are in flight, and each step advances one of them
 * at random. Within a run the order is kept.
 */
export function* interleave(lifecycles: readonly Lifecycle[], random: SeededRandom, concurrency: number): Generator<ScheduledStep> {
  const waiting = [...lifecycles];
  const active: Array<{ lifecycle: Lifecycle; next: number }> = [];
  while (waiting.length > 0 || active.length > 0) {
    while (active.length < concurrency && waiting.length > 0) active.push({ lifecycle: waiting.shift()!, next: 0 });
    const slot = random.int(active.length);
    const run = active[slot]!;
    yield { lifecycle: run.lifecycle, index: run.next, object: run.lifecycle.steps[run.next]! };
    run.next++;
    if (run.next >= run.lifecycle.steps.length) active.splice(slot, 1);
  }
}

/** The GitRepo the CommitStatus lifecycles point at. */
export const gitRepoObject = (apiUrl: string): KubeObject => ({
  apiVersion: "commit-status.argoproj.io/v1alpha1",
  kind: "GitRepo",
  metadata: { name: GIT_REPO_NAME, namespace: APPS_NAMESPACE, uid: "00000000-0000-4000-8000-00000000c0de" },
  spec: { github: { owner: REPO.owner, name: REPO.name, apiUrl }, credentialsRef: { ssmParameter: "/kube-feedback/github" } },
});
