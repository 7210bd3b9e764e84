import { createHash } from "node:crypto";
import { z } from "zod";
import { formatPath } from "../config/path";
import { clusterNameProblem, findTooDeep, sqsIdProblem, SQS_LIMITS } from "../envelope";
import { InvalidOperationError } from "./errors";

/**
 * What the process side asks a relay to do in its cluster when the cluster
 * is reached `via: relay` (a private API server): the relay holds the
 * watch, the RBAC and the network path, the functions hold none of them.
 */
export const OperationKind = {
  /** JSON merge patch of a CommitStatus's `status` subresource. */
  PatchStatus: "patchStatus",
  /** Send this GitRepo again as a RESYNC envelope: the process side does not know it (yet, or any more). */
  ResendGitRepo: "resendGitRepo",
  /** Send the CommitStatuses of a namespace (of one GitRepo), or of every watched namespace, again as RESYNC envelopes. */
  Relist: "relist",
} as const;
export type OperationKind = (typeof OperationKind)[keyof typeof OperationKind];

/**
 * Built on first use, not when the module loads (as the envelope schemas):
 * a relay without write-back never parses an operation.
 */
const buildOperationSchema = () => {
  /** Kubernetes names: DNS subdomains of at most 253 characters (namespaces are shorter labels, within that). */
  const kubeName = z.string().regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, "must be a Kubernetes name").max(253);
  const common = {
    v: z.literal(1),
    /** The cluster whose relay alone may apply it. */
    cluster: z.string().min(1).max(63),
    /** When the process side made it: part of the content, so two asks at different times are two messages. */
    at: z.iso.datetime({ offset: true }),
  };
  return z.discriminatedUnion("op", [
    z.strictObject({
      ...common,
      op: z.literal(OperationKind.PatchStatus),
      namespace: kubeName,
      name: kubeName,
      /** The CommitStatus the patch is for: a resource re-created under the same name is another one and is not patched. */
      uid: z.string().min(1).max(128),
      generation: z.int().min(0).optional(),
      status: z.record(z.string(), z.unknown()),
    }),
    z.strictObject({ ...common, op: z.literal(OperationKind.ResendGitRepo), namespace: kubeName, name: kubeName }),
    z.strictObject({ ...common, op: z.literal(OperationKind.Relist), namespace: kubeName.optional(), gitRepo: kubeName.optional() }),
  ]);
};
type OperationSchema = ReturnType<typeof buildOperationSchema>;
let schema: OperationSchema | undefined;

export const operationSchema = (): OperationSchema => (schema ??= buildOperationSchema());
export type Operation = z.output<OperationSchema>;
export type PatchStatusOperation = Extract<Operation, { op: "patchStatus" }>;
export type ResendGitRepoOperation = Extract<Operation, { op: "resendGitRepo" }>;
export type RelistOperation = Extract<Operation, { op: "relist" }>;

/** Everything but `v`, `cluster` and `at`, which every operation gets the same way. */
export type OperationRequest = Operation extends infer O ? (O extends Operation ? Omit<O, "v" | "cluster" | "at"> : never) : never;

export const makeOperation = (cluster: string, request: OperationRequest, at: Date = new Date()): Operation =>
  checked({ v: 1, cluster, at: at.toISOString(), ...request } as Operation);

const hex = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * FIFO group: a CommitStatus's patches apply in the order they were made
 * (`cluster/uid`); a GitRepo's resends share a group per GitRepo, a
 * cluster's relists one group. Names are hashed: with the cluster they
 * could pass SQS's 128 characters.
 */
export const operationGroupId = (operation: Operation): string => {
  switch (operation.op) {
    case OperationKind.PatchStatus:
      return `${operation.cluster}/${operation.uid}`;
    case OperationKind.ResendGitRepo:
      return `${operation.cluster}/gitrepo-${hex(`${operation.namespace}/${operation.name}`).slice(0, 40)}`;
    case OperationKind.Relist:
      return `${operation.cluster}/relist`;
  }
};

/** The operation's body as sent: the one serialisation its size and identity are taken from. */
export const serializeOperation = (operation: Operation): string => JSON.stringify(operation);

/**
 * FIFO deduplication id and the operation's identity: a hash of its whole
 * content, so the same patch sent twice (a retried process message) is
 * applied once, and a relay's re-sends can name the ask they answer.
 */
export const operationId = (operation: Operation): string => hex(serializeOperation(operation));

/** Refuses what SQS would refuse forever (and so block the group): a group id out of its rules, a body over its limit. */
const checked = (operation: Operation): Operation => {
  const cluster = clusterNameProblem(operation.cluster);
  if (cluster) throw new InvalidOperationError("cluster", cluster);
  const group = sqsIdProblem(operationGroupId(operation));
  if (group) throw new InvalidOperationError(operation.op === OperationKind.PatchStatus ? "uid" : "cluster", `is part of the SQS MessageGroupId, which ${group}`);
  const bytes = Buffer.byteLength(serializeOperation(operation), "utf8");
  if (bytes > SQS_LIMITS.messageBytes) throw new InvalidOperationError("", `is ${bytes} bytes, more than the ${SQS_LIMITS.messageBytes} an SQS message may have`);
  return operation;
};

/** Checks a parsed operation; throws InvalidOperationError naming the field. */
export const validateOperation = (value: unknown): Operation => {
  const deep = findTooDeep(value);
  if (deep) throw new InvalidOperationError(deep.path, deep.reason);
  const result = operationSchema().safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === "unrecognized_keys") throw new InvalidOperationError(formatPath([...issue.path, issue.keys[0] ?? ""]), "unknown field");
    throw new InvalidOperationError(formatPath(issue?.path ?? []), issue?.message ?? "is invalid");
  }
  return checked(result.data);
};

/** Parses a message body of the operations queue; throws InvalidOperationError naming the field. */
export const parseOperation = (body: string): Operation => {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new InvalidOperationError("", `body is not JSON (${(cause as Error).message})`, { cause });
  }
  return validateOperation(value);
};

/** `patchStatus apps/deploy`, `relist apps (gitrepo shop)`, for log lines. */
export const describeOperation = (operation: Operation): string => {
  switch (operation.op) {
    case OperationKind.PatchStatus:
    case OperationKind.ResendGitRepo:
      return `${operation.op} ${operation.namespace}/${operation.name}`;
    case OperationKind.Relist:
      return `relist ${operation.namespace ?? "all namespaces"}${operation.gitRepo ? ` (gitrepo ${operation.gitRepo})` : ""}`;
  }
};
