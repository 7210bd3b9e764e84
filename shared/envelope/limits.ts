import { formatPath } from "../config/path";

/**
 * Limits every envelope obeys, and every ingest body with it. They are
 * checked before anything walks a document recursively: JSON.parse builds
 * 10,000 nested arrays without complaint, but JSON.stringify, slimming and
 * zod recurse, and overflow the stack at around 5,000 levels.
 */
export const ENVELOPE_LIMITS = {
  /**
   * Levels of objects and arrays in one document, its root counted as one.
   * Kubernetes objects stay far below (an Argo Workflow's status is about
   * ten levels deep), so this refuses only hostile or broken input.
   */
  maxDepth: 64,
  /** SQS's limit on MessageGroupId and MessageDeduplicationId. */
  sqsIdChars: 128,
} as const;

/** Segments of a path shown before it is cut short: enough to find the place, not 64 segments of noise. */
const SHOWN_SEGMENTS = 8;
const SHOWN_KEY_CHARS = 64;

/** A path for an error message, cut after its first few segments and with long keys shortened. */
export const describePath = (path: ReadonlyArray<string | number>): string => {
  const shown = path
    .slice(0, SHOWN_SEGMENTS)
    .map((key) => (typeof key === "string" && key.length > SHOWN_KEY_CHARS ? `${key.slice(0, SHOWN_KEY_CHARS)}…` : key));
  return `${formatPath(shown)}${path.length > SHOWN_SEGMENTS ? "…" : ""}`;
};

/** Where a document breaks a limit, and how. */
export interface LimitProblem {
  /** `segments` for a message, cut short (describePath). */
  path: string;
  segments: Array<string | number>;
  reason: string;
}

interface Frame {
  value: object;
  depth: number;
  parent: Frame | undefined;
  key: string | number;
}

const pathOf = (frame: Frame): Array<string | number> => {
  const path: Array<string | number> = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) path.push(f.key);
  return path.reverse();
};

/**
 * The first object or array nested deeper than `maxDepth` levels (the root
 * is level one), or undefined. Iterative on purpose: a recursive walk is
 * exactly what overflows on the input this exists to refuse.
 */
export const findTooDeep = (value: unknown, maxDepth: number = ENVELOPE_LIMITS.maxDepth): LimitProblem | undefined => {
  if (value === null || typeof value !== "object") return undefined;
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: "" }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const entries: Array<[string | number, unknown]> = Array.isArray(frame.value)
      ? frame.value.map((item, index) => [index, item])
      : Object.entries(frame.value);
    for (const [key, child] of entries) {
      if (child === null || typeof child !== "object") continue;
      const next: Frame = { value: child, depth: frame.depth + 1, parent: frame, key };
      if (next.depth > maxDepth) {
        const segments = pathOf(next);
        return { path: describePath(segments), segments, reason: `nested deeper than ${maxDepth} levels` };
      }
      stack.push(next);
    }
  }
  return undefined;
};

/**
 * SQS's rule for MessageGroupId and MessageDeduplicationId: 1 to 128
 * characters, each a letter, a digit or ASCII punctuation
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 * Printable ASCII without the space is exactly that set.
 */
const SQS_ID_CHARS = /^[!-~]*$/;

/** Why `id` cannot be a MessageGroupId or MessageDeduplicationId, or undefined when it can. */
export const sqsIdProblem = (id: string): string | undefined => {
  if (id.length === 0) return "is empty";
  if (!SQS_ID_CHARS.test(id)) return "may hold only letters, digits and ASCII punctuation (no spaces, no other characters)";
  if (id.length > ENVELOPE_LIMITS.sqsIdChars) return `is ${id.length} characters, more than the ${ENVELOPE_LIMITS.sqsIdChars} SQS allows`;
  return undefined;
};

/**
 * Why `cluster` cannot name a cluster, or undefined. The name is the first
 * half of every MessageGroupId (`cluster/uid`), so it takes SQS's characters.
 */
export const clusterNameProblem = (cluster: string): string | undefined => {
  if (cluster.length === 0) return "is empty";
  if (cluster.length > 63) return `is ${cluster.length} characters, more than 63`;
  if (!SQS_ID_CHARS.test(cluster)) return "may hold only letters, digits and ASCII punctuation: it is part of the SQS MessageGroupId";
  return undefined;
};
