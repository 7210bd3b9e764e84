/**
 * Building blocks of slimming. Each mirrors how the normalisers read a field
 * (shared/pipeline/normalise/read.ts): a value they would ignore (a list that
 * is not an array, an entry that is not an object, a message that is not a
 * string) may be dropped, anything they would read is kept as it is, and
 * only free text is cut (SlimLimit), at lengths no person reads in full.
 */

export type Fields = Record<string, unknown>;

/** A kind's slimmed spec and status; undefined where nothing is kept. */
export interface Slimmed {
  spec: Fields | undefined;
  status: Fields | undefined;
}

/**
 * Size bounds, in UTF-16 code units (what `String.length` counts; at most
 * three UTF-8 bytes each). Together they keep a slimmed object far below
 * SQS's 256 KiB whatever its controller wrote: a step's `terminated.message`
 * carries the step's results as JSON, up to the kubelet's 4 KiB per
 * container, and `retriesStatus` grows by a full TaskRun status per attempt.
 * https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/#customizing-the-termination-message
 */
export const SlimLimit = {
  /** Condition, waiting-container and Argo workflow or node messages. */
  messageChars: 2048,
  /** A terminated step's `message` (its results, not prose). */
  stepMessageChars: 1024,
  /** Retries of a TaskRun whose status is kept in full; older ones keep only their place. */
  retriesKept: 10,
} as const;

/** Marks a cut message, so that nobody mistakes it for the whole text. */
export const TRUNCATED = "…";

export const isRecord = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The named own keys of an object; keys the object lacks stay absent rather
 * than becoming undefined, so `{}` stays `{}` (a present but empty
 * `terminated` still says the step terminated).
 */
export const pick = (value: Fields, keys: readonly string[]): Fields => {
  const out: Fields = {};
  for (const key of keys) if (Object.hasOwn(value, key)) out[key] = value[key];
  return out;
};

/** `pick` without the keys whose value is undefined: `defined(pick(value, keys))` in one pass. */
export const pickDefined = (value: Fields, keys: readonly string[]): Fields => {
  const out: Fields = {};
  for (const key of keys) if (value[key] !== undefined && Object.hasOwn(value, key)) out[key] = value[key];
  return out;
};

/**
 * At most `max` code units, the last of them the truncation mark; a
 * surrogate pair is never split, so the result is still valid UTF-16.
 */
export const truncate = (value: string, max: number): string => {
  if (value.length <= max) return value;
  let end = max - TRUNCATED.length;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end) + TRUNCATED;
};

/** A string field cut to `max`; a non-string is dropped, as the normalisers ignore it. */
export const boundedText = (value: unknown, max: number): string | undefined =>
  typeof value === "string" ? truncate(value, max) : undefined;

/**
 * Sets an own key. Plain assignment would make a key `__proto__` (a map key
 * such as a Tekton task name or an annotation, as it was in the JSON) the
 * prototype instead; defining it keeps it an ordinary key.
 */
export const setOwn = (out: Fields, key: string, value: unknown): void => {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
};

/**
 * Drops undefined entries, so that a field absent before slimming stays absent after it.
 * Loops rather than `Object.fromEntries(Object.entries(…).filter(…))`: slimming
 * runs for every watch event, and the intermediate arrays were most of its cost.
 */
export const defined = (value: Fields): Fields => {
  const out: Fields = {};
  for (const key of Object.keys(value)) if (value[key] !== undefined) setOwn(out, key, value[key]);
  return out;
};

/** Each object entry of a list, slimmed; other entries and non-lists are dropped. */
export const eachRecord = (value: unknown, slim: (entry: Fields) => Fields): Fields[] | undefined => {
  if (!Array.isArray(value)) return undefined;
  const out: Fields[] = [];
  for (const entry of value) if (isRecord(entry)) out.push(slim(entry));
  return out;
};

/**
 * Each object value of a map (Tekton's `status.taskRuns`, Argo's
 * `status.nodes`), slimmed under its own key (setOwn: a key such as
 * `__proto__` stays an ordinary key as it was in the JSON).
 */
export const eachValue = (value: unknown, slim: (entry: Fields) => Fields): Fields | undefined => {
  if (!isRecord(value)) return undefined;
  const out: Fields = {};
  for (const key of Object.keys(value)) {
    const entry = value[key];
    if (isRecord(entry)) setOwn(out, key, slim(entry));
  }
  return out;
};

const CONDITION = ["type", "status", "reason", "lastTransitionTime"] as const;

/** A knative `apis.Condition` or `metav1.Condition`: what decides a phase, and its message. */
const slimCondition = (condition: Fields): Fields => {
  const out = pickDefined(condition, CONDITION);
  const message = boundedText(condition.message, SlimLimit.messageChars);
  if (message !== undefined) out.message = message;
  return out;
};

export const slimConditions = (value: unknown): Fields[] | undefined => eachRecord(value, slimCondition);

type Slimmers = Readonly<Record<string, (field: unknown) => unknown>>;
const NO_SLIMMERS: Slimmers = {};

/** The fields named in `keys` (absent ones stay absent), each passed through its own slimmer if it has one. */
export const fields = (value: Fields, keys: readonly string[], slimmers: Slimmers = NO_SLIMMERS): Fields => {
  const out: Fields = {};
  for (const key of keys) {
    if (!Object.hasOwn(value, key)) continue;
    const field = Object.hasOwn(slimmers, key) ? slimmers[key]!(value[key]) : value[key];
    if (field !== undefined) out[key] = field;
  }
  return out;
};

/** `fields` of an object; anything else is dropped, as the normalisers read it as empty. */
export const shape = (value: unknown, keys: readonly string[], slimmers: Slimmers = NO_SLIMMERS): Fields | undefined =>
  isRecord(value) ? fields(value, keys, slimmers) : undefined;
