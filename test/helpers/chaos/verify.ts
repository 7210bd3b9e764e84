/**
 * Turns a chaos observation into the figures the guarantees are judged by,
 * each from what the system did (the receivers' calls, the fakes' request
 * logs, the DLQ): lifecycle callbacks lost (must be 0), repeated (each must
 * come after a crash that struck between that callback's previous call and
 * the repeat), out of order, CommitStatus resources not in sync at the end,
 * DLQ messages that no injected permanent fault explains, re-lists, and SCM
 * writes against the minimum.
 */
import { phaseRank, type PipelinePhase } from "../../../shared/pipeline/types";
import { LifecycleEvent } from "../../../shared/receivers";
import type { ChaosObservation } from "./engine";
import { callKey } from "./faults";
import { LifecycleKind } from "./workload";

export const RECEIVERS = ["recorder", "github"] as const;
const ONCE = [LifecycleEvent.Created, LifecycleEvent.Started, LifecycleEvent.Finished] as const;
const TO_SCM_STATE: Record<string, string> = { succeeded: "success", failed: "failure", success: "success", failure: "failure" };

export interface ChaosReport {
  seed: number;
  settled: boolean;
  elapsedMs: number;
  lifecycles: { total: number; jobs: number; pipelineRuns: number; commitStatuses: number };
  delivery: { objectVersions: number; envelopes: number; messages: number; duplicated: number; reordered: number; invocations: number };
  faults: { crashes: number; callbacksAtRisk: number; scm5xx: number; scm429: number; kube409: number; expired: number; relayRestarts: number; lists: number };
  callbacks: { expected: number; lost: number; duplicates: number; unexplainedDuplicates: number; outOfOrder: number; wrongOutcome: number; progressBackwards: number };
  commitStatuses: { expected: number; notInSync: number };
  /**
   * `postsAtRisk`: crashes that lost the record of a call of the `github`
   * receiver, and with it what the receiver remembered posting (its memory
   * lives in the run item): each may repeat one post, and only those may.
   */
  scm: { writeRequests: number; accepted: number; minimum: number; redundant: number; postsAtRisk: number; wrongFinalState: number };
  /** `unexplained`: dead letters that are not an injected malformed message; `missing`: injected ones not dead-lettered. */
  deadLetters: { count: number; reasons: Record<string, number>; unexplained: number; missing: number };
  /** Fewest list requests the API server saw for any watched resource. */
  relay: { fewestLists: number };
  /** How the CommitStatus sync reached the cluster, and how often the process side used its Kubernetes access. */
  kubernetes: { via: "direct" | "relay"; processCalls: number };
  /** Up to ten examples of each violation, to start debugging from. */
  examples: { lost: string[]; unexplained: string[]; outOfOrder: string[]; progressBackwards: string[]; notInSync: string[]; wrongFinalState: string[]; deadLetters: string[] };
}

const countBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

/** Status writes per (commit, context), and how many would have shown the same history with no repeats. */
const scmWrites = (observation: ChaosObservation) => {
  const { github } = observation;
  const writeRequests = github.requests.filter((r) => r.method === "POST" && r.path.includes("/statuses/")).length;
  const history = new Map<string, string[]>();
  for (const status of [...github.statuses].sort((a, b) => a.id - b.id)) {
    const key = `${status.sha}|${status.context}`;
    const list = history.get(key) ?? [];
    list.push(`${status.state}|${status.description ?? ""}|${status.target_url ?? ""}`);
    history.set(key, list);
  }
  let minimum = 0;
  for (const list of history.values()) minimum += list.filter((state, i) => i === 0 || state !== list[i - 1]).length;
  const latest = (sha: string, context: string) => history.get(`${sha}|${context}`)?.at(-1)?.split("|")[0];
  return { writeRequests, accepted: github.statuses.length, minimum, redundant: github.statuses.length - minimum, latest };
};

/**
 * Repeats of one callback not explained by a crash: each repeat needs its
 * own crash that listed the callback at risk and came after the previous
 * call (`at` counts the calls returned before the crash).
 */
const unexplainedRepeats = (seqs: readonly number[], crashTimes: readonly number[]): number => {
  const unused = [...crashTimes].sort((a, b) => a - b);
  let unexplained = 0;
  for (let i = 1; i < seqs.length; i++) {
    const index = unused.findIndex((at) => at > seqs[i - 1]! && at <= seqs[i]!);
    if (index < 0) unexplained++;
    else unused.splice(index, 1);
  }
  return unexplained;
};

export const verifyChaos = (observation: ChaosObservation): ChaosReport => {
  const { lifecycles, tally, crashes, kube, sink, injected } = observation;
  const pipelines = lifecycles.filter((l) => l.kind !== LifecycleKind.CommitStatus);
  const commitStatuses = lifecycles.filter((l) => l.kind === LifecycleKind.CommitStatus);
  const once = tally.calls.filter((c) => (ONCE as readonly string[]).includes(c.event));
  const seqsOf = new Map<string, number[]>();
  for (const call of once) {
    const key = callKey(call.uid, call.receiver, call.event);
    seqsOf.set(key, [...(seqsOf.get(key) ?? []), call.seq]);
  }
  const first = new Map<string, (typeof once)[number]>();
  for (const call of once) if (!first.has(callKey(call.uid, call.receiver, call.event))) first.set(callKey(call.uid, call.receiver, call.event), call);
  const crashTimes = new Map<string, number[]>();
  for (const crash of crashes) for (const key of crash.atRisk) crashTimes.set(key, [...(crashTimes.get(key) ?? []), crash.at]);
  const examples: ChaosReport["examples"] = { lost: [], unexplained: [], outOfOrder: [], progressBackwards: [], notInSync: [], wrongFinalState: [], deadLetters: [] };
  const note = (list: string[], text: string) => list.length < 10 && list.push(text);

  let lost = 0;
  let duplicates = 0;
  let unexplained = 0;
  let outOfOrder = 0;
  let wrongOutcome = 0;
  for (const run of pipelines) {
    for (const receiver of RECEIVERS) {
      const firsts: number[] = [];
      for (const event of ONCE) {
        const key = callKey(run.uid, receiver, event);
        const seqs = seqsOf.get(key) ?? [];
        if (seqs.length === 0) {
          lost++;
          note(examples.lost, `${run.kind} ${run.name}: ${receiver} never got ${event}`);
        }
        duplicates += Math.max(0, seqs.length - 1);
        const excess = unexplainedRepeats(seqs, crashTimes.get(key) ?? []);
        if (excess > 0) {
          unexplained += excess;
          note(examples.unexplained, `${run.kind} ${run.name}: ${receiver} got ${event} at calls ${seqs.join(", ")}; crashes put it at risk at ${(crashTimes.get(key) ?? []).join(", ") || "none"}`);
        }
        firsts.push(first.get(key)?.seq ?? Number.NaN);
      }
      if (!(firsts[0]! < firsts[1]! && firsts[1]! < firsts[2]!) && firsts.every(Number.isFinite)) {
        outOfOrder++;
        note(examples.outOfOrder, `${run.kind} ${run.name}: ${receiver} order ${ONCE.map((e, i) => `${e}@${firsts[i]}`).join(", ")}`);
      }
      const finished = first.get(callKey(run.uid, receiver, LifecycleEvent.Finished));
      if (finished && finished.phase !== run.outcome) wrongOutcome++;
    }
  }

  // A run's phase only moves up in rank (DESIGN §5): so does what updateProgress reports of it.
  let progressBackwards = 0;
  const highest = new Map<string, number>();
  for (const call of tally.calls) {
    if (call.event !== LifecycleEvent.Progress) continue;
    const key = `${call.uid}|${call.receiver}`;
    const rank = phaseRank(call.phase as PipelinePhase);
    if (rank < (highest.get(key) ?? 0)) {
      progressBackwards++;
      note(examples.progressBackwards, `${call.run}: ${call.receiver} told ${call.phase} after a later phase`);
    }
    highest.set(key, Math.max(rank, highest.get(key) ?? 0));
  }

  const scm = scmWrites(observation);
  let wrongFinalState = 0;
  for (const run of pipelines) {
    const state = scm.latest(run.sha, `${run.namespace}/${run.name}`);
    if (state !== TO_SCM_STATE[run.outcome]) {
      wrongFinalState++;
      note(examples.wrongFinalState, `${run.kind} ${run.name}: GitHub shows ${state ?? "nothing"}, expected ${TO_SCM_STATE[run.outcome]}`);
    }
  }
  let notInSync = 0;
  for (const cs of commitStatuses) {
    const object = kube.get({ apiVersion: "commit-status.argoproj.io/v1alpha1", kind: "CommitStatus", namespace: cs.namespace, name: cs.name });
    const status = (object?.status ?? {}) as { isSynced?: boolean; phase?: string; observedGeneration?: number };
    const inSync = status.isSynced === true && status.phase === cs.outcome && status.observedGeneration === object?.metadata?.generation;
    const shown = scm.latest(cs.sha, `deploy/${cs.name}`);
    if (!inSync || shown !== TO_SCM_STATE[cs.outcome]) {
      notInSync++;
      note(examples.notInSync, `CommitStatus ${cs.name}: status ${JSON.stringify(status)}, GitHub shows ${shown ?? "nothing"}`);
    }
  }

  const poisoned = new Set(observation.poisoned);
  const explained = (d: ChaosObservation["deadLetters"][number]) => poisoned.has(d.name) && d.reason === "invalid envelope";
  for (const d of observation.deadLetters.filter((d) => !explained(d))) note(examples.deadLetters, `${d.kind} ${d.name}: ${d.reason} ${d.error}`.trim());
  const missing = observation.poisoned.filter((name) => !observation.deadLetters.some((d) => d.name === name && explained(d)));
  for (const name of missing) note(examples.deadLetters, `${name}: injected, not in the DLQ`);
  const lists = kube.requests.filter((r) => r.verb === "list");
  const fewestLists = Math.min(...observation.watched.map((plural) => lists.filter((r) => r.path.endsWith(`/${plural}`)).length));

  const dlqReasons = Object.fromEntries(countBy(observation.deadLetters, (d) => `${d.reason}${d.error ? `: ${d.error.slice(0, 120)}` : ""}`));
  return {
    seed: observation.options.seed,
    settled: observation.settled,
    elapsedMs: observation.elapsedMs,
    lifecycles: {
      total: lifecycles.length,
      jobs: lifecycles.filter((l) => l.kind === LifecycleKind.Job).length,
      pipelineRuns: lifecycles.filter((l) => l.kind === LifecycleKind.PipelineRun).length,
      commitStatuses: commitStatuses.length,
    },
    delivery: {
      objectVersions: lifecycles.reduce((sum, l) => sum + l.steps.length, 0),
      envelopes: sink.envelopes,
      messages: sink.messages,
      duplicated: sink.duplicated,
      reordered: sink.reordered,
      invocations: observation.invocations,
    },
    faults: {
      crashes: crashes.length,
      callbacksAtRisk: crashes.reduce((sum, c) => sum + c.atRisk.length, 0),
      ...injected,
      lists: kube.requests.filter((r) => r.verb === "list").length,
    },
    callbacks: { expected: pipelines.length * RECEIVERS.length * ONCE.length, lost, duplicates, unexplainedDuplicates: unexplained, outOfOrder, wrongOutcome, progressBackwards },
    commitStatuses: { expected: commitStatuses.length, notInSync },
    scm: {
      writeRequests: scm.writeRequests,
      accepted: scm.accepted,
      minimum: scm.minimum,
      redundant: scm.redundant,
      postsAtRisk: crashes.filter((c) => c.receivers.includes("github")).length,
      wrongFinalState,
    },
    deadLetters: {
      count: observation.deadLetters.length,
      reasons: dlqReasons,
      unexplained: observation.deadLetters.filter((d) => !explained(d)).length,
      missing: missing.length,
    },
    relay: { fewestLists },
    kubernetes: { via: observation.options.via, processCalls: observation.processKubeCalls },
    examples,
  };
};

/** The guarantees a chaos run must keep, each with whether this run kept it. */
export const guarantees = (report: ChaosReport): Array<{ name: string; kept: boolean; detail: string }> => [
  { name: "the run settled before its deadline", kept: report.settled, detail: `${Math.round(report.elapsedMs / 1000)} s` },
  { name: "no lifecycle callback lost", kept: report.callbacks.lost === 0, detail: `${report.callbacks.lost} lost` },
  {
    name: "duplicates only where a crash came between call and record",
    kept: report.callbacks.unexplainedDuplicates === 0,
    detail: `${report.callbacks.duplicates} duplicates, ${report.faults.callbacksAtRisk} at risk, ${report.callbacks.unexplainedDuplicates} unexplained`,
  },
  { name: "created < started < finished per run and receiver", kept: report.callbacks.outOfOrder === 0, detail: `${report.callbacks.outOfOrder} out of order` },
  { name: "progress never moves back to an earlier phase", kept: report.callbacks.progressBackwards === 0, detail: `${report.callbacks.progressBackwards} backwards` },
  { name: "finished reports the run's outcome", kept: report.callbacks.wrongOutcome === 0, detail: `${report.callbacks.wrongOutcome} wrong` },
  { name: "every CommitStatus in sync at the end", kept: report.commitStatuses.notInSync === 0, detail: `${report.commitStatuses.notInSync} not in sync` },
  { name: "GitHub shows each run's outcome", kept: report.scm.wrongFinalState === 0, detail: `${report.scm.wrongFinalState} wrong` },
  {
    name: "the DLQ holds the injected malformed messages and nothing else",
    kept: report.deadLetters.unexplained === 0 && report.deadLetters.missing === 0,
    detail: `${report.deadLetters.count} messages, ${report.deadLetters.unexplained} unexplained, ${report.deadLetters.missing} missing`,
  },
  ...(report.kubernetes.via === "relay"
    ? [{ name: "via: relay: the process side never called Kubernetes", kept: report.kubernetes.processCalls === 0, detail: `${report.kubernetes.processCalls} calls` }]
    : []),
];
