import { deflateRawSync, inflateRawSync } from "node:zlib";

/**
 * A remembered tombstone in memory: 8 hex digits of its JSON's FNV-1a hash
 * (or 8 spaces for a JSON kept as it is, which is compared whole), a flag,
 * then the JSON, deflated against a dictionary as a latin1 string
 * (one byte per byte in V8) when it is long. A Pipelines-as-Code run's
 * tombstone is ~2.3 KB of JSON, mostly label and annotation keys every run
 * repeats; deflated against those keys it is ~0.4 KB (`npm run bench`
 * reports the figures). Deflating costs a fraction of a millisecond, once
 * per run (and per change of its labels); a short tombstone, such as a Job's
 * with a few annotations, is kept as it is, where that would not pay. The
 * hash lets the watcher see that an event left the tombstone as it was
 * without inflating anything; a collision would at worst keep stale labels.
 */
export type Packed = string;

/**
 * Keys the tools that start CI runs stamp on them, sorted as the API
 * server serialises map keys, so that deflate finds whole `"key":"` runs:
 * ours and pipelines-feedback-core's (DESIGN.md §3), Pipelines-as-Code's
 * (pipelinesascode.com, "Labels and annotations"), Tekton's, Argo's,
 * batch/v1 Job's and the recommended app.kubernetes.io labels.
 */
const KEYS = [
  "app.kubernetes.io/component",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/managed-by",
  "app.kubernetes.io/name",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/version",
  "batch.kubernetes.io/controller-uid",
  "batch.kubernetes.io/job-name",
  "commit-status.argoproj.io/enabled",
  "commit-status.argoproj.io/pr",
  "commit-status.argoproj.io/ref",
  "commit-status.argoproj.io/repo-url",
  "commit-status.argoproj.io/sha",
  "commit-status.argoproj.io/status-name",
  "controller-uid",
  "job-name",
  "pipelinesascode.tekton.dev/branch",
  "pipelinesascode.tekton.dev/check-run-id",
  "pipelinesascode.tekton.dev/event-type",
  "pipelinesascode.tekton.dev/git-provider",
  "pipelinesascode.tekton.dev/installation-id",
  "pipelinesascode.tekton.dev/log-url",
  "pipelinesascode.tekton.dev/max-keep-runs",
  "pipelinesascode.tekton.dev/on-event",
  "pipelinesascode.tekton.dev/on-target-branch",
  "pipelinesascode.tekton.dev/original-prname",
  "pipelinesascode.tekton.dev/pull-request",
  "pipelinesascode.tekton.dev/repo-url",
  "pipelinesascode.tekton.dev/repository",
  "pipelinesascode.tekton.dev/sender",
  "pipelinesascode.tekton.dev/sha",
  "pipelinesascode.tekton.dev/sha-title",
  "pipelinesascode.tekton.dev/sha-url",
  "pipelinesascode.tekton.dev/source-branch",
  "pipelinesascode.tekton.dev/source-repo-url",
  "pipelinesascode.tekton.dev/state",
  "pipelinesascode.tekton.dev/url-org",
  "pipelinesascode.tekton.dev/url-repository",
  "pipelinesfeedback.keskad.pl/commit",
  "pipelinesfeedback.keskad.pl/https-repo-url",
  "pipelinesfeedback.keskad.pl/pr-id",
  "pipelinesfeedback.keskad.pl/ref",
  "tekton.dev/pipeline",
  "workflows.argoproj.io/cron-workflow",
  "workflows.argoproj.io/workflow-template",
] as const;

const keyed = KEYS.map((key) => `"${key}":""`).join(",");

/** The skeleton of a tombstone (tombstone.ts) around the keys; deflate prefers the nearest match, so it comes last. */
const DICTIONARY = Buffer.from(
  `https://github.com/https://gitlab.com/{"labels":{${keyed}},"annotations":{${keyed}},` +
    `"ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"","uid":"","controller":true}]},` +
    `"spec":{"pipelineRef":{"name":""},"workflowTemplateRef":{"name":""}}}` +
    `{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","metadata":{"name":"","generateName":"","namespace":"","uid":""` +
    `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"","generateName":"","namespace":"","uid":""` +
    `{"apiVersion":"tekton.dev/v1","kind":"PipelineRun","metadata":{"name":"","generateName":"","namespace":"","uid":""`,
);

const FINGERPRINT_CHARS = 8;
const RAW = "j";
const DEFLATED = "z";
/** Below this many characters the JSON is kept as it is. */
const DEFLATE_FROM = 512;

/** FNV-1a over UTF-16 code units: cheap, and only compared with itself. */
const fingerprint = (json: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < json.length; i++) {
    hash ^= json.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(FINGERPRINT_CHARS, "0");
};

/** In place of the fingerprint of a JSON kept as it is: `holds` compares it whole, hashing it would be wasted. */
const UNHASHED = " ".repeat(FINGERPRINT_CHARS);

export const pack = (json: string): Packed =>
  json.length < DEFLATE_FROM
    ? // join writes one flat string; `+` would keep a rope of both pieces for as long as the entry lives.
      [UNHASHED, RAW, json].join("")
    : fingerprint(json) + DEFLATED + deflateRawSync(json, { dictionary: DICTIONARY }).toString("latin1");

export const unpack = (packed: Packed): string => {
  const body = packed.slice(FINGERPRINT_CHARS + 1);
  if (packed[FINGERPRINT_CHARS] === RAW) return body;
  return inflateRawSync(Buffer.from(body, "latin1"), { dictionary: DICTIONARY }).toString("utf8");
};

/**
 * Whether `packed` holds this JSON, without inflating it. A short one is
 * compared as it is (a native string comparison costs less than hashing it
 * on every watch event); a deflated one by its fingerprint.
 */
export const holds = (packed: Packed, json: string): boolean =>
  packed[FINGERPRINT_CHARS] === RAW
    ? packed.length === json.length + FINGERPRINT_CHARS + 1 && packed.endsWith(json)
    : packed.startsWith(fingerprint(json));
