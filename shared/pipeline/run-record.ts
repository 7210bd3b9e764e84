/**
 * The run item as stored: the run state without what it would carry twice.
 * A write costs one DynamoDB write unit per KB, and the run item is written
 * at least twice per event that calls a receiver, so its size is the larger
 * part of the product's cost per run.
 * - `info.stages` is always `stages` (advance and advanceStage keep them
 *   equal): stored once, put back on read.
 * - The object itself is not stored: the pipeline handler never reads an
 *   `oldObj`, so nothing would read it.
 */
import type { ObjectRecord } from "../status";
import type { StoredItem } from "../store";
import { emptyRunState, type RunState } from "./lifecycle";
import type { PipelineInfo } from "./types";

/** The run item: its run state, when it last changed, and (only in items written before) an object. */
export interface RunRecord extends ObjectRecord {
  run?: StoredRunState;
  /** When the run state last changed (ISO 8601); `kube-feedback status` sorts and filters by it. */
  updatedAt?: string;
}

/** The run state with the run's info stored without its stages. */
export type StoredRunState = Omit<RunState, "info"> & { info?: Omit<PipelineInfo, "stages"> & { stages?: PipelineInfo["stages"] } };

/** The run state an item holds (the empty one for a new run), with `info.stages` put back. */
export const runStateOf = (item: StoredItem<RunRecord> | undefined): RunState => {
  const stored = item?.data.run;
  if (!stored) return emptyRunState();
  const { info, ...rest } = stored;
  return info ? { ...rest, info: { ...info, stages: rest.stages } } : rest;
};

/** The item to write for a run state. */
export const runRecord = (state: RunState, updatedAt: string): RunRecord => {
  const { info, ...rest } = state;
  if (!info) return { run: rest, updatedAt };
  const { stages: _same, ...described } = info;
  return { run: { ...rest, info: described }, updatedAt };
};
