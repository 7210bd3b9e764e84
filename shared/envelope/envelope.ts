import { createHash } from "node:crypto";
import { z } from "zod";
import { formatPath } from "../config/path";
import { InvalidEnvelopeError } from "./errors";
import { clusterNameProblem, findTooDeep, sqsIdProblem } from "./limits";

export const EnvelopeType = {
  Added: "ADDED",
  Modified: "MODIFIED",
  Deleted: "DELETED",
  Resync: "RESYNC",
} as const;
export type EnvelopeType = (typeof EnvelopeType)[keyof typeof EnvelopeType];

/**
 * The schemas are built on first use, not when the module loads: the relay
 * makes envelopes and never parses them, and a bundle that does not call
 * the parsers below then leaves zod out altogether (see
 * test/unit/relay/core-bundle.test.ts).
 */
const buildSchemas = () => {
  const objectMeta = z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    uid: z.string().min(1),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  });
  const kubeObject = z.looseObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: objectMeta,
  });
  const envelope = z.strictObject({
    v: z.literal(1),
    cluster: z.string().min(1).max(63),
    type: z.enum(["ADDED", "MODIFIED", "DELETED", "RESYNC"]),
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    object: kubeObject,
    observedAt: z.iso.datetime({ offset: true }),
    /**
     * RESYNC only: the id of the operation (`kubernetes.via: relay`) this
     * re-send answers. Part of the deduplication id, so an object re-sent on
     * request is not dropped as a repeat of the same version listed earlier.
     */
    resend: z.string().regex(/^[0-9a-f]{64}$/, "must be an operation id (64 hex digits)").optional(),
  });
  return { kubeObject, envelope };
};
type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

export const kubeObjectSchema = (): Schemas["kubeObject"] => (schemas ??= buildSchemas()).kubeObject;
export const envelopeSchema = (): Schemas["envelope"] => (schemas ??= buildSchemas()).envelope;

export type KubeObject = z.output<Schemas["kubeObject"]> & { spec?: unknown; status?: unknown };
export type Envelope = Omit<z.output<Schemas["envelope"]>, "object"> & { object: KubeObject };

/** Parses a queue message body; throws InvalidEnvelopeError naming the field. */
export const parseEnvelope = (body: string): Envelope => {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new InvalidEnvelopeError("", `body is not JSON (${(cause as Error).message})`, { cause });
  }
  return validateEnvelope(value);
};

/**
 * Checks a parsed envelope. The depth comes first: zod, slimming and
 * JSON.stringify all recurse, and a deep enough object would overflow the
 * stack in any of them instead of being refused.
 */
export const validateEnvelope = (value: unknown): Envelope => {
  const deep = findTooDeep(value);
  if (deep) throw new InvalidEnvelopeError(deep.path, deep.reason);
  const result = envelopeSchema().safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === "unrecognized_keys") {
      throw new InvalidEnvelopeError(formatPath([...issue.path, issue.keys[0] ?? ""]), "unknown field");
    }
    throw new InvalidEnvelopeError(formatPath(issue?.path ?? []), issue?.message ?? "is invalid");
  }
  const envelope = result.data as Envelope;
  if (envelope.resend !== undefined && envelope.type !== EnvelopeType.Resync) {
    throw new InvalidEnvelopeError("resend", "is for RESYNC envelopes only");
  }
  if (envelope.object.apiVersion !== envelope.apiVersion || envelope.object.kind !== envelope.kind) {
    throw new InvalidEnvelopeError("object.kind", "apiVersion and kind must match the envelope's");
  }
  checkGroupId(envelope);
  return envelope;
};

/**
 * SQS refuses a batch entry whose MessageGroupId breaks its rules, and the
 * relay or ingest would retry it forever; so an envelope that would make one
 * is invalid, blamed on the field at fault. The deduplication id needs no
 * check: it is always 64 hex digits (see messageDeduplicationId).
 */
const checkGroupId = (envelope: Envelope): void => {
  const cluster = clusterNameProblem(envelope.cluster);
  if (cluster) throw new InvalidEnvelopeError("cluster", cluster);
  const problem = sqsIdProblem(messageGroupId(envelope));
  if (problem) throw new InvalidEnvelopeError("object.metadata.uid", `is part of the SQS MessageGroupId (cluster/uid), which ${problem}`);
};

/**
 * The uid of the run an object's events belong to: its own, and for a Tekton
 * TaskRun its PipelineRun's (from the owner reference Tekton sets), so the
 * TaskRuns and their PipelineRun are handled in the order the relay saw them
 * and a PipelineRun's final event never overtakes its TaskRuns' events.
 */
export const runUid = (envelope: Pick<Envelope, "object">): string => {
  const { metadata, kind } = envelope.object;
  if (kind !== "TaskRun") return metadata.uid;
  const owners = (metadata as { ownerReferences?: unknown }).ownerReferences;
  const owner = Array.isArray(owners)
    ? (owners as Array<{ kind?: unknown; uid?: unknown }>).find((o) => o?.kind === "PipelineRun" && typeof o.uid === "string" && o.uid !== "")
    : undefined;
  return (owner?.uid as string | undefined) ?? metadata.uid;
};

/** FIFO group: every event of one run (a TaskRun's with its PipelineRun's) is processed in order. */
export const messageGroupId = (envelope: Pick<Envelope, "cluster" | "object">): string => `${envelope.cluster}/${runUid(envelope)}`;

/**
 * FIFO deduplication id: the same watch event sent twice within SQS's
 * five-minute window (a relay restart, a re-list) is stored once. A re-send
 * on request adds the id of the operation that asked, and only then, so
 * every other envelope keeps the id it always had.
 */
export const messageDeduplicationId = (envelope: Pick<Envelope, "cluster" | "object" | "type" | "resend">): string =>
  createHash("sha256")
    .update(
      [
        envelope.cluster,
        envelope.object.metadata.uid,
        envelope.object.metadata.resourceVersion ?? "",
        envelope.type,
        ...(envelope.resend === undefined ? [] : [envelope.resend]),
      ].join("\u0000"),
    )
    .digest("hex");

export const makeEnvelope = (
  cluster: string,
  type: EnvelopeType,
  object: KubeObject,
  observedAt: Date | string = new Date(),
  resend?: string,
): Envelope => {
  const envelope: Envelope = {
    v: 1,
    cluster,
    type,
    apiVersion: object.apiVersion,
    kind: object.kind,
    object,
    // A string is an ISO time made already: the relay makes one for all the events of one read.
    observedAt: typeof observedAt === "string" ? observedAt : observedAt.toISOString(),
  };
  if (resend !== undefined) envelope.resend = resend;
  return envelope;
};
