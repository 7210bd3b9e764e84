/**
 * `npm run chaos [-- --runs N] [-- --seed S] [-- --via relay]`: N lifecycles
 * (2,000 by default; try 10,000) through the local stack under duplicates,
 * reordering, crashes between call and record, SCM 5xx and 429 storms, 409
 * conflicts on write-back, a 410 mid-stream and a relay restart; with
 * `--via relay` the CommitStatus write-back goes through the relay
 * (kubernetes.via: relay). Prints one table; exits 1 when a guarantee was broken.
 */
import "./env";
import { parseArgs } from "node:util";
import { guarantees, runChaos, verifyChaos, type ChaosReport } from "../test/helpers/chaos";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "2000" }, seed: { type: "string", default: "20261120" }, via: { type: "string", default: "direct" } },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: must be a positive integer, got ${values.runs}`);
if (!Number.isInteger(seed)) throw new Error(`--seed: must be an integer, got ${values.seed}`);
if (values.via !== "direct" && values.via !== "relay") throw new Error(`--via: must be direct or relay, got ${values.via}`);
const via = values.via;

const n = (value: number) => value.toLocaleString("en-US");

const table = (r: ChaosReport): string => {
  const rows: Array<[string, string]> = [
    ["lifecycles", `${n(r.lifecycles.total)} (${n(r.lifecycles.jobs)} Jobs, ${n(r.lifecycles.pipelineRuns)} PipelineRuns with TaskRuns, ${n(r.lifecycles.commitStatuses)} CommitStatuses)`],
    ["object versions written / envelopes shipped / messages sent", `${n(r.delivery.objectVersions)} / ${n(r.delivery.envelopes)} / ${n(r.delivery.messages)}`],
    ["duplicate deliveries / reordered", `${n(r.delivery.duplicated)} / ${n(r.delivery.reordered)}`],
    ["crashes between call and record (callbacks at risk)", `${n(r.faults.crashes)} (${n(r.faults.callbacksAtRisk)})`],
    ["SCM requests failed: 5xx / 429", `${n(r.faults.scm5xx)} / ${n(r.faults.scm429)}`],
    ["409 Conflict on CommitStatus write-back", `${n(r.faults.kube409)} (kubernetes.via: ${r.kubernetes.via}${r.kubernetes.via === "relay" ? `, ${n(r.kubernetes.processCalls)} Kubernetes calls by the process side` : ""})`],
    ["410 Gone mid-stream / relay restarts / lists", `${n(r.faults.expired)} / ${n(r.faults.relayRestarts)} / ${n(r.faults.lists)}`],
    ["lifecycle callbacks expected", n(r.callbacks.expected)],
    ["lifecycle callbacks lost", n(r.callbacks.lost)],
    ["duplicate lifecycle callbacks (unexplained by a crash)", `${n(r.callbacks.duplicates)} (${n(r.callbacks.unexplainedDuplicates)})`],
    ["callbacks out of order / progress moving backwards", `${n(r.callbacks.outOfOrder)} / ${n(r.callbacks.progressBackwards)}`],
    ["CommitStatuses not in sync at the end", `${n(r.commitStatuses.notInSync)} of ${n(r.commitStatuses.expected)}`],
    ["runs whose final GitHub status is wrong", n(r.scm.wrongFinalState)],
    ["messages in the DLQ", `${n(r.deadLetters.count)}${Object.keys(r.deadLetters.reasons).length ? `: ${Object.entries(r.deadLetters.reasons).map(([k, v]) => `${v}× ${k}`).join("; ")}` : ""}`],
    ["SCM status writes: requests / accepted / minimum / redundant (posts at risk)", `${n(r.scm.writeRequests)} / ${n(r.scm.accepted)} / ${n(r.scm.minimum)} / ${n(r.scm.redundant)} (${n(r.scm.postsAtRisk)})`],
    ["process invocations / wall time", `${n(r.delivery.invocations)} / ${Math.round(r.elapsedMs / 1000)} s (seed ${r.seed})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const valueWidth = Math.max(...rows.map(([, v]) => v.length));
  return [`| ${"Measure".padEnd(width)} | ${"Value".padEnd(valueWidth)} |`, `|${"-".repeat(width + 2)}|${"-".repeat(valueWidth + 2)}|`, ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v.padEnd(valueWidth)} |`)].join("\n");
};

const observation = await runChaos({ lifecycles: runs, seed, via, progress: (line) => process.stderr.write(`${line}\n`) });
const report = verifyChaos(observation);
process.stdout.write(`${table(report)}\n\n`);
const checks = guarantees(report);
for (const check of checks) process.stdout.write(`${check.kept ? "kept  " : "BROKEN"}  ${check.name} (${check.detail})\n`);
const examples = Object.entries(report.examples).filter(([, list]) => list.length > 0);
for (const [kind, list] of examples) process.stdout.write(`\n${kind}:\n${list.map((line) => `  ${line}`).join("\n")}\n`);
process.exit(checks.every((c) => c.kept) ? 0 : 1);
