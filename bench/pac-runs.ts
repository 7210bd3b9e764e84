/**
 * Unfinished PipelineRuns as Tekton Pipelines-as-Code creates them, for the
 * known-object memory benchmark: the labels and annotations PaC stamps on
 * every run (https://pipelinesascode.com/docs/guide/running/#labels-and-annotations),
 * managedFields as the API server returns them, a spec with a pipelineRef
 * and params, and a running status with three child TaskRuns. Unfinished,
 * because only those are remembered: this is the relay's worst case.
 */
import type { KubeObject } from "../test/helpers/fake-kube";
import type { SeededRandom } from "../test/helpers/chaos/random";

const REPOS = ["shop", "payments", "catalog", "search", "checkout", "accounts", "inventory", "gateway"] as const;
const SENDERS = ["alice", "bob", "carol", "dave", "erin"] as const;
const TASKS = ["clone", "build", "test"] as const;

const hex = (random: SeededRandom, length: number): string => {
  let out = "";
  while (out.length < length) out += random.int(16).toString(16);
  return out;
};

const uuid = (random: SeededRandom): string =>
  [hex(random, 8), hex(random, 4), `4${hex(random, 3)}`, `a${hex(random, 3)}`, hex(random, 12)].join("-");

export const pacPipelineRun = (random: SeededRandom, index: number): KubeObject => {
  const repo = random.pick(REPOS);
  const sha = hex(random, 40);
  const pr = String(100 + random.int(900));
  const name = `${repo}-on-pull-request-${hex(random, 5)}-${index}`;
  const url = `https://github.com/example/${repo}`;
  const time = "2026-11-20T10:00:00Z";
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: {
      name,
      generateName: `${repo}-on-pull-request-`,
      namespace: "ci",
      uid: uuid(random),
      creationTimestamp: time,
      labels: {
        "app.kubernetes.io/managed-by": "pipelinesascode.tekton.dev",
        "app.kubernetes.io/version": "v0.27.1",
        "pipelinesascode.tekton.dev/branch": "main",
        "pipelinesascode.tekton.dev/check-run-id": String(20_000_000_000 + random.int(1_000_000)),
        "pipelinesascode.tekton.dev/event-type": "pull_request",
        "pipelinesascode.tekton.dev/git-provider": "github",
        "pipelinesascode.tekton.dev/original-prname": `${repo}-on-pull-request`,
        "pipelinesascode.tekton.dev/pull-request": pr,
        "pipelinesascode.tekton.dev/repository": repo,
        "pipelinesascode.tekton.dev/sender": random.pick(SENDERS),
        "pipelinesascode.tekton.dev/sha": sha,
        "pipelinesascode.tekton.dev/state": "started",
        "pipelinesascode.tekton.dev/url-org": "example",
        "pipelinesascode.tekton.dev/url-repository": repo,
        "tekton.dev/pipeline": `${repo}-on-pull-request`,
      },
      annotations: {
        "pipelinesascode.tekton.dev/branch": "main",
        "pipelinesascode.tekton.dev/check-run-id": String(20_000_000_000 + random.int(1_000_000)),
        "pipelinesascode.tekton.dev/event-type": "pull_request",
        "pipelinesascode.tekton.dev/git-provider": "github",
        "pipelinesascode.tekton.dev/installation-id": "41234567",
        "pipelinesascode.tekton.dev/log-url": `https://console.example.com/k8s/ns/ci/tekton.dev~v1~PipelineRun/${name}`,
        "pipelinesascode.tekton.dev/max-keep-runs": "5",
        "pipelinesascode.tekton.dev/on-event": "[pull_request]",
        "pipelinesascode.tekton.dev/on-target-branch": "[main]",
        "pipelinesascode.tekton.dev/pull-request": pr,
        "pipelinesascode.tekton.dev/repo-url": url,
        "pipelinesascode.tekton.dev/sha": sha,
        "pipelinesascode.tekton.dev/sha-title": `Make ${repo} faster (#${pr})`,
        "pipelinesascode.tekton.dev/sha-url": `${url}/commit/${sha}`,
        "pipelinesascode.tekton.dev/source-branch": `feature/${hex(random, 6)}`,
        "pipelinesascode.tekton.dev/source-repo-url": url,
        "pipelinesascode.tekton.dev/state": "started",
        "pipelinesascode.tekton.dev/url-org": "example",
        "pipelinesascode.tekton.dev/url-repository": repo,
      },
      managedFields: [
        { manager: "pipelines-as-code-controller", operation: "Update", apiVersion: "tekton.dev/v1", time, fieldsType: "FieldsV1", fieldsV1: { "f:metadata": { "f:annotations": {}, "f:labels": {} }, "f:spec": {} } },
        { manager: "tekton-pipelines-controller", operation: "Update", apiVersion: "tekton.dev/v1", time, fieldsType: "FieldsV1", fieldsV1: { "f:status": {} }, subresource: "status" },
      ],
    },
    spec: {
      pipelineRef: { name: `${repo}-on-pull-request` },
      params: [
        { name: "repo_url", value: url },
        { name: "revision", value: sha },
      ],
      taskRunTemplate: { serviceAccountName: "pipeline" },
      timeouts: { pipeline: "1h0m0s" },
      workspaces: [{ name: "source", volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } }],
    },
    status: {
      conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running", message: "Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0", lastTransitionTime: time }],
      startTime: time,
      childReferences: TASKS.map((task) => ({ apiVersion: "tekton.dev/v1", kind: "TaskRun", name: `${name}-${task}`, pipelineTaskName: task })),
      provenance: { featureFlags: { enableAPIFields: "beta", resultExtractionMethod: "termination-message", maxResultSize: 4096 } },
    },
  };
};
