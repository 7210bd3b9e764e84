/**
 * Whether a run is over and whether it is a child, without normalising it.
 *
 * The relay asks this of every watch event, to know which objects a later
 * DELETED would still change (relay/known): building the whole run (labels,
 * annotations, stages, messages) only to read two of its fields was the
 * largest single cost of an event there. Each kind answers from the same
 * reading of its status that `normalise` uses (job.ts, tekton.ts, argo.ts),
 * after the same identity check (kinds.ts); test/unit/pipeline holds the two
 * side by side on every upstream fixture.
 */
import { identify } from "./kinds";
import { record } from "./read";

export interface RunStanding {
  /** `isTerminal(normalise(obj).phase)`. */
  finished: boolean;
  /** `normalise(obj).parent?.name`: the run this one is a stage of (a TaskRun's PipelineRun). */
  parent?: string;
}

/** What `normalise(obj)` would say of the run's end and parent; throws what it would throw. */
export function standingOf(obj: unknown): RunStanding {
  const { metadata, reader } = identify(obj);
  const { spec, status } = obj as { spec?: unknown; status?: unknown };
  const parent = reader.parent(metadata.labels);
  const finished = reader.finished(record(spec), record(status));
  return parent === undefined ? { finished } : { finished, parent };
}
