import type { KubeObject } from "../envelope";
import { ACTIVE_PHASES } from "./spec";

/** Resources synced more recently than this are re-checked for drift by a resync even when finished. */
export const RECENT_SYNC_MS = 60 * 60 * 1000;

type WithStatus = KubeObject & { status?: { observedGeneration?: number; phase?: string; updatedAt?: string } };

/** What a resync sees in a CommitStatus it did not get an event for. */
export interface ResyncNeed {
  /** Its status is behind its spec's generation: an event was lost. */
  behind: boolean;
  /** Worth re-reading the SCM for drift: in flight, or synced recently. */
  recheck: boolean;
}

/**
 * The scheduled resync's rule, in one place for both ways it runs: listed
 * from the API server (`via: direct`), or sent again by the relay
 * (`via: relay`) and handled as a RESYNC envelope.
 */
export const resyncNeed = (object: KubeObject, now: number, recentMs: number = RECENT_SYNC_MS): ResyncNeed => {
  const status = (object as WithStatus).status;
  const behind = (status?.observedGeneration ?? -1) !== (object.metadata.generation ?? 0);
  const inFlight = ACTIVE_PHASES.has(status?.phase as never);
  const recent = now - Date.parse(status?.updatedAt ?? "") < recentMs;
  return { behind, recheck: !behind && (inFlight || recent) };
};
