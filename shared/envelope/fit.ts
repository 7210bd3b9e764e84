import type { Envelope, KubeObject } from "./envelope";
import { EnvelopeTooLargeError } from "./errors";
import { envelopeBody, SQS_LIMITS } from "./sqs";

/**
 * How much of an object an envelope still carries. `slim` is the normal
 * case; the others are steps down for objects whose slimmed form is still
 * over the message limit (a PipelineRun with thousands of child references,
 * a Workflow with a huge node map).
 */
export const FitLevel = {
  Slim: "slim",
  NoSpec: "no-spec",
  ConditionsOnly: "conditions-only",
  GitAnnotationsOnly: "git-annotations-only",
} as const;
export type FitLevel = (typeof FitLevel)[keyof typeof FitLevel];

export interface FittedEnvelope {
  envelope: Envelope;
  /** UTF-8 size of the JSON body, as SQS counts it. */
  bytes: number;
  level: FitLevel;
}

/** Annotations that carry git context (DESIGN.md §3): the last thing given up. */
const GIT_ANNOTATION_PREFIXES = ["commit-status.argoproj.io/", "pipelinesascode.tekton.dev/", "pipelinesfeedback.keskad.pl/"];

/** Measured by the JSON a sink then sends as it is (envelopeBody). */
const sizeOf = (envelope: Envelope): number => envelopeBody(envelope).bytes;

const withObject = (envelope: Envelope, object: KubeObject): Envelope => ({ ...envelope, object });

const withoutSpec = (object: KubeObject): KubeObject => {
  const { spec: _spec, ...rest } = object;
  return rest as KubeObject;
};

const conditionsOnly = (object: KubeObject): KubeObject => {
  const status = object.status as { conditions?: unknown } | undefined;
  const { status: _status, ...rest } = object;
  return (status?.conditions === undefined ? rest : { ...rest, status: { conditions: status.conditions } }) as KubeObject;
};

const gitAnnotationsOnly = (object: KubeObject): KubeObject => {
  const annotations = Object.fromEntries(
    Object.entries(object.metadata.annotations ?? {}).filter(([key]) => GIT_ANNOTATION_PREFIXES.some((p) => key.startsWith(p))),
  );
  const { annotations: _annotations, ...metadata } = object.metadata;
  return { ...object, metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata } as KubeObject;
};

const STEPS: ReadonlyArray<[FitLevel, (object: KubeObject) => KubeObject]> = [
  [FitLevel.NoSpec, withoutSpec],
  [FitLevel.ConditionsOnly, conditionsOnly],
  [FitLevel.GitAnnotationsOnly, gitAnnotationsOnly],
];

/**
 * Returns the envelope, cut down step by step until its body fits in
 * `limit` bytes: first without spec, then with status reduced to its
 * conditions, then with only the git-context annotations. Each step keeps
 * what the previous one kept of the rest, so the handlers still see the
 * phase. Throws EnvelopeTooLargeError when even the last step is too big:
 * SQS would refuse it forever and block its message group.
 */
export const fitEnvelope = (envelope: Envelope, limit: number = SQS_LIMITS.messageBytes): FittedEnvelope => {
  let bytes = sizeOf(envelope);
  if (bytes <= limit) return { envelope, bytes, level: FitLevel.Slim };
  let current = envelope;
  for (const [level, step] of STEPS) {
    current = withObject(current, step(current.object));
    bytes = sizeOf(current);
    if (bytes <= limit) return { envelope: current, bytes, level };
  }
  const { namespace, name } = envelope.object.metadata;
  throw new EnvelopeTooLargeError(`${envelope.kind} ${namespace ? `${namespace}/` : ""}${name}`, bytes, limit);
};
