import { redactText } from "../log";
import { LifecycleEvent } from "./receiver";
import { dueEvents, stateHash, type Deliveries, type Mark, type RunState } from "./lifecycle";
import type { PipelineInfo } from "./types";

/** The callbacks one receiver is to make now, in order, with the claims that guard them. */
export interface PlannedCall {
  receiver: string;
  events: LifecycleEvent[];
  /** The state hash a progress call delivers. */
  hash: string;
  /** One of the events had been claimed by a call whose lease ran out unrecorded: this call may repeat it. */
  repeat?: true;
}

export interface ClaimPlan {
  /** The state with the new claims, to be written conditionally before any call. */
  state: RunState;
  calls: PlannedCall[];
  /** Receivers with a call still in flight elsewhere (claim not expired): retry later. */
  blocked: string[];
}

const ONCE = [LifecycleEvent.Created, LifecycleEvent.Started, LifecycleEvent.Finished] as const;
type OnceEvent = (typeof ONCE)[number];
const isOnce = (event: LifecycleEvent): event is OnceEvent => (ONCE as readonly string[]).includes(event);

const settled = (mark: Mark | undefined): boolean => mark?.s === "done" || mark?.s === "failed" || mark?.s === "skipped";
const inFlight = (mark: Mark | undefined, now: number): boolean => mark?.s === "claimed" && (mark.exp ?? 0) > now;

/** Who hears what: each receiver's `when` and `events`, and what its progress reports. */
export interface Audience {
  hears(receiver: string, event: LifecycleEvent): boolean;
  /** The receiver's progress identity of the run (`Receiver.progressKey`). */
  progressKey(receiver: string, info: PipelineInfo): string;
}
const everyone: Audience = { hears: () => true, progressKey: (_receiver, info) => stateHash(info) };

/**
 * Claims every callback the state calls for and no receiver has had yet.
 * A claim is a lease: if the process dies between the call and its record,
 * the claim expires and the next attempt repeats that one call. `hears` is
 * asked when a callback first comes due: a no marks it skipped (a progress
 * state as seen), and it is never asked again; a callback claimed before is
 * made again without asking.
 */
export const planClaims = (state: RunState, receivers: readonly string[], now: number, leaseMs: number, audience: Audience = everyone): ClaimPlan => {
  const info = state.info;
  if (!info) return { state, calls: [], blocked: [] };
  const due = dueEvents(info);
  const deliveries: Record<string, Deliveries> = { ...state.deliveries };
  const calls: PlannedCall[] = [];
  const blocked: string[] = [];
  const claim: Mark = { s: "claimed", exp: now + leaseMs };

  for (const receiver of receivers) {
    const hash = audience.progressKey(receiver, info);
    const current: Deliveries = { ...deliveries[receiver] };
    const events: LifecycleEvent[] = [];
    const skipped: LifecycleEvent[] = [];
    let waits = false;
    let repeat = false;
    for (const event of due) {
      const mark = isOnce(event) ? current[event] : current.progress;
      if (inFlight(mark, now)) {
        waits = true;
        break;
      }
      if (mark?.s === "claimed" && (isOnce(event) || current.ph !== hash)) repeat = true;
      if (isOnce(event) ? settled(mark) : current.ph === hash) continue;
      const decided = isOnce(event) && mark !== undefined;
      (decided || audience.hears(receiver, event) ? events : skipped).push(event);
    }
    if (waits) {
      blocked.push(receiver);
      deliveries[receiver] = current;
      continue;
    }
    for (const event of skipped) {
      if (isOnce(event)) current[event] = { s: "skipped" };
      else current.ph = hash;
    }
    for (const event of events) {
      if (isOnce(event)) current[event] = claim;
      else current.progress = { ...claim, h: hash };
    }
    deliveries[receiver] = current;
    if (events.length > 0) calls.push({ receiver, events, hash, ...(repeat ? { repeat: true as const } : {}) });
  }
  return { state: { ...state, deliveries }, calls, blocked };
};

/**
 * Every claim of `state` turned into a claim whose lease has already ended,
 * as attribute writes under `state`. Only for a store whose single writer is
 * known to be gone (a local state directory reopened after its process was
 * killed): a claim left there belongs to a call that may or may not have
 * been made. Ending its lease lets the next event of the run make that call
 * at once instead of waiting out the lease, which could outlast the event's
 * retries, and makes it what an expired claim makes it anywhere: a possible
 * repeat (`PlannedCall.repeat`), so that a receiver that can look first
 * (the `scm` receiver) reads what the SCM shows before writing.
 */
export const reopenClaims = (state: RunState): Array<{ path: string[]; value: Mark }> => {
  const out: Array<{ path: string[]; value: Mark }> = [];
  for (const [receiver, marks] of Object.entries(state.deliveries)) {
    for (const event of [...ONCE, LifecycleEvent.Progress] as const) {
      const mark = marks[event];
      if (mark?.s === "claimed") out.push({ path: ["deliveries", receiver, event], value: { ...mark, exp: 0 } });
    }
  }
  return out;
};

/** How one receiver's planned calls went: how many succeeded in order, and why the next failed. */
export interface CallResult {
  call: PlannedCall;
  delivered: number;
  error?: Error;
  /** The error will not go away by retrying: record it and do not call again. */
  permanent?: boolean;
  progressCount: number;
  /** What the receiver set in its run memory during the calls, to be stored with their outcome. */
  memory?: Record<string, unknown>;
}

/** The attribute writes that record the outcome of the calls: one update for all receivers. */
export const settleAssignments = (results: readonly CallResult[]): Array<{ path: string[]; value: unknown }> => {
  const out: Array<{ path: string[]; value: unknown }> = [];
  for (const { call, delivered, error, permanent, progressCount, memory } of results) {
    const base = ["deliveries", call.receiver];
    call.events.forEach((event, i) => {
      const outcome: Mark = { s: i < delivered ? "done" : permanent && i === delivered ? "failed" : "open" };
      if (event === LifecycleEvent.Progress) {
        out.push({ path: [...base, "progress"], value: outcome });
        if (outcome.s !== "open") out.push({ path: [...base, "ph"], value: call.hash });
        if (outcome.s === "done") out.push({ path: [...base, "pc"], value: progressCount + 1 });
      } else out.push({ path: [...base, event], value: outcome });
    });
    // Stored and shown by `kube-feedback status`: masked like a log line.
    if (error) out.push({ path: [...base, "lastError"], value: redactText(error.message).slice(0, 500) });
    if (memory) out.push({ path: [...base, "mem"], value: memory });
  }
  return out;
};
