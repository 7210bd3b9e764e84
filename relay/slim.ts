import type { KubeObject } from "../shared/envelope";

/** Annotations that are large and never read downstream. */
const DROPPED_ANNOTATIONS = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  "pipelinesascode.tekton.dev/original-prname",
  "results.tekton.dev/record",
  "results.tekton.dev/result",
]);

/**
 * What the handlers read of `spec` and `status`, per kind. Everything else
 * (embedded pipeline and task specs, provenance, pod templates) is dropped:
 * a Tekton PipelineRun's status alone can exceed SQS's 256 KiB limit.
 */
const KEEP: Record<string, { spec?: readonly string[] | "all"; status?: readonly string[] | "all" }> = {
  Job: { spec: ["suspend", "backoffLimit", "completions"], status: ["conditions", "active", "succeeded", "failed", "startTime", "completionTime", "ready"] },
  PipelineRun: { spec: ["status", "timeouts"], status: ["conditions", "startTime", "completionTime", "childReferences"] },
  TaskRun: { spec: ["status", "timeout"], status: ["conditions", "startTime", "completionTime", "steps", "podName"] },
  Workflow: { spec: ["shutdown", "activeDeadlineSeconds"], status: ["phase", "startedAt", "finishedAt", "message", "nodes", "progress"] },
  CommitStatus: { spec: "all", status: "all" },
  GitRepo: { spec: "all", status: "all" },
};

const pick = (value: unknown, keys: readonly string[] | "all" | undefined): Record<string, unknown> | undefined => {
  if (value === null || typeof value !== "object" || keys === undefined) return undefined;
  if (keys === "all") return value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in value) out[key] = (value as Record<string, unknown>)[key];
  return out;
};

/** Argo nodes carry inputs, outputs and children lists; stages need only these. */
const slimArgoNodes = (nodes: unknown): unknown => {
  if (nodes === null || typeof nodes !== "object") return nodes;
  const out: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(nodes as Record<string, unknown>)) {
    out[id] = pick(node, ["id", "name", "displayName", "type", "phase", "startedAt", "finishedAt", "message", "templateName"]);
  }
  return out;
};

/** Keeps what the handlers read and nothing else; the input is not modified. */
export const slimObject = (object: KubeObject): KubeObject => {
  const meta = object.metadata as Record<string, unknown>;
  const annotations = Object.fromEntries(
    Object.entries(object.metadata.annotations ?? {}).filter(([key]) => !DROPPED_ANNOTATIONS.has(key)),
  );
  const owners = Array.isArray(meta.ownerReferences)
    ? (meta.ownerReferences as Array<Record<string, unknown>>).map((o) => pick(o, ["apiVersion", "kind", "name", "uid", "controller"]))
    : undefined;
  const metadata = {
    ...pick(meta, ["name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "labels"]),
    ...(Object.keys(annotations).length ? { annotations } : {}),
    ...(owners ? { ownerReferences: owners } : {}),
  } as KubeObject["metadata"];
  const keep = KEEP[object.kind];
  const spec = keep ? pick(object.spec, keep.spec) : undefined;
  const status = keep ? pick(object.status, keep.status) : pick(object.status, ["conditions", "phase"]);
  if (status && object.kind === "Workflow" && "nodes" in status) status.nodes = slimArgoNodes(status.nodes);
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata,
    ...(spec && Object.keys(spec).length ? { spec } : {}),
    ...(status && Object.keys(status).length ? { status } : {}),
  };
};
