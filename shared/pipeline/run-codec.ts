/**
 * The compact stored form of a run's info and stages (the `run` of a run
 * item, see run-record.ts). Short attribute names, what can be derived is
 * not stored, times and stages as in stage-codec.ts:
 *
 * | key | field        | stored as                                                          |
 * | --- | ------------ | ------------------------------------------------------------------ |
 * | u   | uid          |                                                                    |
 * | c   | cluster      |                                                                    |
 * | a   | apiVersion   | only when it is not the kind's usual one                           |
 * | k   | kind         |                                                                    |
 * | n   | name         |                                                                    |
 * | s   | namespace    |                                                                    |
 * | g   | generateName | the length of the name's prefix it is, else itself                 |
 * | t   | template     | `[kind, name]`                                                     |
 * | p   | phase        | one letter                                                         |
 * | b   | startedAt    | epoch seconds: the base of every other time of the run             |
 * | e   | finishedAt   | seconds after `b`                                                  |
 * | m   | message      | Tekton's tally `Tasks Completed: 5 (Failed: 3, …)` as its 4 numbers |
 * | d   | dashboardUrl |                                                                    |
 * | l   | labels       | keys sharing a prefix (`tekton.dev/`) grouped under it             |
 * | o   | annotations  | as labels                                                          |
 * | i   | id           | only when it is not `cluster/namespace/name`                       |
 * | G   | git          | only when it is not what the annotations and labels give (null: none) |
 * | x   | other fields | as they are                                                        |
 */
import { isDeepStrictEqual } from "node:util";
import { gitContext } from "./git";
import { decodePhase, decodeStage, decodeTime, encodePhase, encodeStage, encodeTime, type StoredStage } from "./stage-codec";
import type { GitContext, PipelineInfo, Stage } from "./types";

/** A run's info as stored, without its stages. */
export type StoredInfo = Record<string, unknown>;

type Metadata = Record<string, string>;

/** Keys that share a prefix with another key are grouped under it: `{"tekton.dev/": {pipeline: …, task: …}}`. */
const groupKeys = (map: Metadata): Record<string, unknown> => {
  const prefixOf = (key: string) => key.slice(0, key.indexOf("/") + 1);
  const counts = new Map<string, number>();
  for (const key of Object.keys(map)) counts.set(prefixOf(key), (counts.get(prefixOf(key)) ?? 0) + 1);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) {
    const prefix = prefixOf(key);
    // A key that is a prefix itself keeps every key of that prefix flat, so that a group is never taken for a value.
    if (prefix === "" || (counts.get(prefix) ?? 0) < 2 || Object.hasOwn(map, prefix)) out[key] = value;
    else out[prefix] = { ...(out[prefix] as Metadata | undefined), [key.slice(prefix.length)]: value };
  }
  return out;
};

const ungroupKeys = (stored: unknown): Metadata => {
  const out: Metadata = {};
  for (const [key, value] of Object.entries((stored ?? {}) as Record<string, unknown>)) {
    if (typeof value === "object" && value !== null) for (const [name, text] of Object.entries(value)) out[`${key}${name}`] = String(text);
    else out[key] = String(value);
  }
  return out;
};

const KNOWN: ReadonlySet<string> = new Set([
  "id", "uid", "cluster", "apiVersion", "kind", "name", "namespace", "generateName", "template", "phase",
  "stages", "startedAt", "finishedAt", "message", "dashboardUrl", "git", "labels", "annotations",
]);

/** The apiVersion a kind's runs usually have: not stored when a run has it. Append only: stored items omit them. */
const USUAL_API_VERSION: Readonly<Record<string, string>> = {
  PipelineRun: "tekton.dev/v1",
  TaskRun: "tekton.dev/v1",
  Job: "batch/v1",
  Workflow: "argoproj.io/v1alpha1",
};

/**
 * The message Tekton writes on a finished PipelineRun
 * (pkg/reconciler/pipelinerun/resources/pipelinerunstate.go,
 * `GetPipelineConditionStatus`), stored as its four counts.
 */
const TALLY = /^Tasks Completed: (\d+) \(Failed: (\d+), Cancelled (\d+)\), Skipped: (\d+)$/;
const tallyText = ([completed, failed, cancelled, skipped]: readonly unknown[]): string =>
  `Tasks Completed: ${completed} (Failed: ${failed}, Cancelled ${cancelled}), Skipped: ${skipped}`;

const encodeMessage = (message: string | undefined): string | number[] | undefined => {
  const counts = message === undefined ? undefined : TALLY.exec(message)?.slice(1).map(Number);
  return counts && tallyText(counts) === message ? counts : message;
};

const derivedId = (info: Pick<PipelineInfo, "cluster" | "namespace" | "name">): string => `${info.cluster}/${info.namespace}/${info.name}`;

/** The base of a run's stored times: its start in epoch seconds, when that is how it is stored. */
const baseOf = (stored: StoredInfo | undefined): number => (typeof stored?.b === "number" ? stored.b : 0);

const compact = (fields: Record<string, unknown>): StoredInfo =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

export const encodeInfo = (info: PipelineInfo): StoredInfo => {
  const startedAt = encodeTime(info.startedAt, 0);
  const base = typeof startedAt === "number" ? startedAt : 0;
  const git = gitContext(info.annotations, info.labels);
  const extra = Object.fromEntries(Object.entries(info).filter(([key, value]) => value !== undefined && !KNOWN.has(key)));
  return compact({
    u: info.uid,
    c: info.cluster,
    a: Object.hasOwn(USUAL_API_VERSION, info.kind) && USUAL_API_VERSION[info.kind] === info.apiVersion ? undefined : info.apiVersion,
    k: info.kind,
    n: info.name,
    s: info.namespace,
    g: info.generateName !== undefined && info.name.startsWith(info.generateName) ? info.generateName.length : info.generateName,
    t: info.template ? [info.template.kind, info.template.name] : undefined,
    p: encodePhase(info.phase),
    b: startedAt,
    e: encodeTime(info.finishedAt, base),
    m: encodeMessage(info.message),
    d: info.dashboardUrl,
    l: Object.keys(info.labels ?? {}).length > 0 ? groupKeys(info.labels) : undefined,
    o: Object.keys(info.annotations ?? {}).length > 0 ? groupKeys(info.annotations) : undefined,
    i: info.id === derivedId(info) ? undefined : info.id,
    G: isDeepStrictEqual(git, info.git) ? undefined : (info.git ?? null),
    x: Object.keys(extra).length > 0 ? extra : undefined,
  });
};

export const decodeInfo = (stored: StoredInfo, stages: Stage[]): PipelineInfo => {
  const text = (key: string) => (typeof stored[key] === "string" ? (stored[key] as string) : undefined);
  const name = text("n") ?? "";
  const base = baseOf(stored);
  const labels = ungroupKeys(stored.l);
  const annotations = ungroupKeys(stored.o);
  const git = stored.G === undefined ? gitContext(annotations, labels) : ((stored.G ?? undefined) as GitContext | undefined);
  const kind = text("k") ?? "";
  const template = Array.isArray(stored.t) ? { kind: String(stored.t[0]), name: String(stored.t[1]) } : undefined;
  const info = {
    uid: text("u") ?? "",
    cluster: text("c") ?? "",
    apiVersion: text("a") ?? (Object.hasOwn(USUAL_API_VERSION, kind) ? USUAL_API_VERSION[kind]! : ""),
    kind,
    name,
    namespace: text("s") ?? "",
    generateName: typeof stored.g === "number" ? name.slice(0, stored.g) : text("g"),
    template,
    phase: decodePhase(text("p") ?? ""),
    stages,
    startedAt: decodeTime(stored.b, 0),
    finishedAt: decodeTime(stored.e, base),
    message: Array.isArray(stored.m) ? tallyText(stored.m) : text("m"),
    dashboardUrl: text("d"),
    git,
    labels,
    annotations,
    ...(stored.x as Record<string, unknown> | undefined),
  };
  const complete = { ...info, id: text("i") ?? derivedId(info) };
  return Object.fromEntries(Object.entries(complete).filter(([, value]) => value !== undefined)) as unknown as PipelineInfo;
};

/** The stored form of a run's info and stages: `i` (absent before the run's own object was seen) and `s`. */
export interface StoredRun {
  i?: StoredInfo;
  s: StoredStage[];
}

export const encodeRun = (info: PipelineInfo | undefined, stages: readonly Stage[]): StoredRun => {
  const stored = info ? encodeInfo(info) : undefined;
  const base = baseOf(stored);
  return { ...(stored ? { i: stored } : {}), s: stages.map((stage) => encodeStage(stage, base)) };
};

export const decodeRun = (stored: StoredRun): { info?: PipelineInfo; stages: Stage[] } => {
  const base = baseOf(stored.i);
  const stages = stored.s.map((stage) => decodeStage(stage, base));
  return stored.i ? { info: decodeInfo(stored.i, stages), stages } : { stages };
};
