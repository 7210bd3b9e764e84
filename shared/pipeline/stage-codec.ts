/**
 * The compact stored form of stages, phases, times and messages (run-codec.ts
 * puts them together). DynamoDB bills every attribute name and value byte
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html),
 * so a stage is a short list in a fixed order rather than a map of long
 * names, times are epoch seconds counted from the run's start, phases one
 * letter, and a message Tekton writes word for word is the number of its form.
 * Every form reads back as exactly what was written: whatever does not fit
 * it (a time with milliseconds, an unknown phase, a message of its own) is
 * stored as it is.
 */
import { PipelinePhase, type Stage } from "./types";

/** One letter per phase; upper case for a stage whose phase was `inferred`. Append only: stored items hold them. */
const PHASE_CODES: Readonly<Record<PipelinePhase, string>> = {
  [PipelinePhase.Pending]: "p",
  [PipelinePhase.Running]: "r",
  [PipelinePhase.Succeeded]: "s",
  [PipelinePhase.Failed]: "f",
  [PipelinePhase.Errored]: "e",
  [PipelinePhase.Cancelled]: "c",
  [PipelinePhase.TimedOut]: "t",
  [PipelinePhase.Skipped]: "k",
};
const PHASE_OF = new Map(Object.entries(PHASE_CODES).map(([phase, code]) => [code, phase as PipelinePhase]));

export const encodePhase = (phase: PipelinePhase): string => PHASE_CODES[phase] ?? phase;
export const decodePhase = (code: string): PipelinePhase => PHASE_OF.get(code) ?? (code as PipelinePhase);

/** `2023-06-09T21:13:31Z`: the form Kubernetes writes times in (RFC 3339, whole seconds). */
const timeText = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/** Seconds after `base` when the time reads back the same from them, else the text itself. */
export const encodeTime = (time: string | undefined, base: number): number | string | undefined => {
  if (time === undefined) return undefined;
  const seconds = Date.parse(time) / 1000;
  return Number.isInteger(seconds) && timeText(seconds) === time ? seconds - base : time;
};
export const decodeTime = (stored: unknown, base: number): string | undefined =>
  typeof stored === "number" ? timeText(stored + base) : typeof stored === "string" ? stored : undefined;

/**
 * Messages Tekton writes word for word, and the words our normaliser makes
 * of a failed step (tekton-steps.ts `stepFailureOf`). Stored by position:
 * append only.
 */
const MESSAGE_FORMS: ReadonlyArray<(stage: Stage) => string | undefined> = [
  (s) => (s.step !== undefined && s.exitCode !== undefined ? `step "${s.step}" exited with code ${s.exitCode}` : undefined),
  (s) => (s.step !== undefined && s.exitCode !== undefined && s.reason !== undefined ? `step "${s.step}" exited with code ${s.exitCode} (${s.reason})` : undefined),
  // A TaskRun's message when it succeeded (pkg/reconciler/taskrun: the `Succeeded` condition).
  () => "All Steps have completed executing",
  // A skipped task's reason (pkg/apis/pipeline/v1/pipelinerun_types.go, SkippingReason).
  ...[
    "When Expressions evaluated to false",
    "Parent Tasks were skipped",
    "PipelineRun was stopping",
    "PipelineRun was gracefully cancelled",
    "PipelineRun was gracefully stopped",
    "Results were missing",
    "PipelineRun timeout has been reached",
    "PipelineRun Tasks timeout has been reached",
    "PipelineRun Finally timeout has been reached",
    "Matrix Parameters have an empty array",
  ].map((text) => () => text),
];

const encodeMessage = (stage: Stage): number | string | undefined => {
  if (stage.message === undefined) return undefined;
  const form = MESSAGE_FORMS.findIndex((make) => make(stage) === stage.message);
  return form >= 0 ? form : stage.message;
};
const decodeMessage = (stored: unknown, stage: Stage): string | undefined =>
  typeof stored === "number" ? MESSAGE_FORMS[stored]?.(stage) : typeof stored === "string" ? stored : undefined;

/**
 * A stage as stored: name, phase, message, start, finish, reason, exit code,
 * step, other fields; null where absent, trailing nulls dropped. The message
 * comes before the times because a skipped task has one and no times.
 */
export type StoredStage = unknown[];

const KNOWN: ReadonlySet<string> = new Set(["name", "phase", "startedAt", "finishedAt", "message", "reason", "exitCode", "step", "inferred"]);

export const encodeStage = (stage: Stage, base: number): StoredStage => {
  const coded = PHASE_CODES[stage.phase] !== undefined;
  const extra = Object.fromEntries(Object.entries(stage).filter(([key, value]) => value !== undefined && (!KNOWN.has(key) || (key === "inferred" && !coded))));
  const phase = stage.inferred && coded ? encodePhase(stage.phase).toUpperCase() : encodePhase(stage.phase);
  const fields = [
    stage.name,
    phase,
    encodeMessage(stage),
    encodeTime(stage.startedAt, base),
    encodeTime(stage.finishedAt, base),
    stage.reason,
    stage.exitCode,
    stage.step,
    Object.keys(extra).length > 0 ? extra : undefined,
  ];
  while (fields.length > 2 && fields.at(-1) === undefined) fields.pop();
  return fields.map((field) => field ?? null);
};

export const decodeStage = (stored: StoredStage, base: number): Stage => {
  const [name, code, message, startedAt, finishedAt, reason, exitCode, step, extra] = stored;
  const letter = String(code);
  const inferred = letter.length === 1 && letter !== letter.toLowerCase() && PHASE_OF.has(letter.toLowerCase());
  const stage: Stage = { name: String(name), phase: decodePhase(inferred ? letter.toLowerCase() : letter) };
  const set = <K extends keyof Stage>(key: K, value: Stage[K] | undefined) => {
    if (value !== undefined) stage[key] = value;
  };
  set("startedAt", decodeTime(startedAt, base));
  set("finishedAt", decodeTime(finishedAt, base));
  set("reason", typeof reason === "string" ? reason : undefined);
  set("exitCode", typeof exitCode === "number" ? exitCode : undefined);
  set("step", typeof step === "string" ? step : undefined);
  set("message", decodeMessage(message, stage));
  if (inferred) stage.inferred = true;
  return typeof extra === "object" && extra !== null ? { ...stage, ...(extra as Partial<Stage>) } : stage;
};
