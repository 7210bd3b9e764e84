import { UnmappedStateError } from "./errors";
import type { CommitStatusPhase } from "./types";

/**
 * The two lookups every provider's phase mapping makes. Own keys only: a
 * state an SCM sends back (or a fuzzer makes up) named `toString` must not
 * find Object.prototype; an unmapped value is an error, never a default.
 */
export const lookupState = <S>(table: Readonly<Record<CommitStatusPhase, S>>, phase: CommitStatusPhase): S => {
  if (!Object.hasOwn(table, phase)) throw new UnmappedStateError("CommitStatus phase", phase);
  return table[phase];
};

export const lookupPhase = (
  table: Readonly<Partial<Record<string, CommitStatusPhase>>>,
  state: string,
  what: string,
): CommitStatusPhase => {
  const phase = Object.hasOwn(table, state) ? table[state] : undefined;
  if (!phase) throw new UnmappedStateError(what, state);
  return phase;
};
