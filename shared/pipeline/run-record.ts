/**
 * The run item as stored. A write costs one DynamoDB write unit per KB, and
 * the run item is written at least twice per event that calls a receiver,
 * so its size is the larger part of the product's cost per run:
 * - the run's info and stages in the compact form of run-codec.ts, the
 *   stages once (`info.stages` is always `stages`: advance and advanceStage
 *   keep them equal), put back on read;
 * - the delivery marks in the compact form of delivery-codec.ts, under `d`
 *   (set path by path after the calls: `runAssignments`); `previous` as it is;
 * - the object itself is not stored: the pipeline handler never reads an
 *   `oldObj`, so nothing would read it.
 * Items written before the compact form (`info` and `stages` as objects)
 * are still read; they take the compact form on their next write.
 */
import type { ObjectRecord } from "../status";
import type { StoredItem } from "../store";
import { emptyRunState, type RunState } from "./lifecycle";
import { decodeDeliveries, encodeDeliveries, storedAssignment, type StoredDeliveries } from "./delivery-codec";
import { decodeRun, encodeRun, type StoredRun } from "./run-codec";
import type { PipelineInfo } from "./types";

/** The run item: its run state, when it last changed, and (only in items written before) an object. */
export interface RunRecord extends ObjectRecord {
  run?: StoredRunState;
  /** When the run state last changed, epoch seconds; `kube-feedback status` sorts and filters by it (updatedAtOf). */
  u?: number;
  /** The same as ISO 8601, in items written before `u`. */
  updatedAt?: string;
}

/** The run state as stored: info, stages and deliveries compact, `previous` as it is; `deliveries` only in items written before `d`. */
export type StoredRunState = StoredRun & Pick<RunState, "previous"> & { d?: Record<string, StoredDeliveries>; deliveries?: RunState["deliveries"] };

/** How items were written before the compact form: the run state with the info stored without its stages. */
type LegacyRunState = Omit<RunState, "info"> & { info?: Omit<PipelineInfo, "stages"> & { stages?: PipelineInfo["stages"] } };

const isCompact = (stored: StoredRunState | LegacyRunState): stored is StoredRunState => Array.isArray((stored as StoredRunState).s);

const legacyRunState = (stored: LegacyRunState): RunState => {
  const { info, ...rest } = stored;
  return info ? { ...rest, info: { ...info, stages: rest.stages } } : rest;
};

/** The run state an item holds (the empty one for a new run), with `info.stages` put back. */
export const runStateOf = (item: Pick<StoredItem<RunRecord>, "data"> | undefined): RunState => {
  const stored = item?.data.run as StoredRunState | LegacyRunState | undefined;
  if (!stored) return emptyRunState();
  if (!isCompact(stored)) return legacyRunState(stored);
  const { i: _info, s: _stages, d, deliveries, ...rest } = stored;
  return { ...rest, deliveries: d ? decodeDeliveries(d) : (deliveries ?? {}), ...decodeRun(stored) };
};

/**
 * The item to write for a run state changed at `updatedAt` (ISO 8601). It
 * clears the ISO time of an item written before, which the writer would
 * otherwise keep beside `u`.
 */
export const runRecord = (state: RunState, updatedAt: string): RunRecord => {
  const { info, stages, deliveries, ...rest } = state;
  return { run: { ...encodeRun(info, stages), d: encodeDeliveries(deliveries), ...rest }, u: Math.floor(Date.parse(updatedAt) / 1000), updatedAt: undefined };
};

/** Writes of delivery fields of the run state (`settleAssignments`, `reopenClaims`) as writes of the item's data. */
export const runAssignments = (assignments: ReadonlyArray<{ path: readonly string[]; value: unknown }>): Array<{ path: string[]; value: unknown }> =>
  assignments.map((assignment) => {
    const stored = storedAssignment(assignment);
    return { path: ["run", ...stored.path], value: stored.value };
  });

/** When the item's run state last changed (ISO 8601, whole seconds), if it says. */
export const updatedAtOf = (record: Pick<RunRecord, "u" | "updatedAt"> | undefined): string | undefined =>
  typeof record?.u === "number" ? new Date(record.u * 1000).toISOString().replace(".000Z", "Z") : record?.updatedAt;

/**
 * A DynamoDB filter on the run items changed at or after `since` (ISO 8601),
 * for items of either form. Values of another type than a condition's never
 * compare, so each item matches on the attribute it has.
 */
export const changedSinceFilter = (data: string, since: string): { expression: string; names: Record<string, string>; values: Record<string, unknown> } => ({
  expression: `(${data}.#runU >= :sinceSeconds OR ${data}.#runUpdatedAt >= :sinceIso)`,
  names: { "#runU": "u", "#runUpdatedAt": "updatedAt" },
  values: { ":sinceSeconds": Math.floor(Date.parse(since) / 1000), ":sinceIso": since },
});
