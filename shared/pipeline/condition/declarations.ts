/**
 * What a receiver's `when` expression can read, declared for the start-time
 * type check: `event`, `pipeline` (the PipelineInfo) and `previous` (the
 * last finished run with the same status name). The declarations follow the
 * types they describe key for key (`satisfies Fields<…>`), so a field added
 * to PipelineInfo fails to compile here until it is declared.
 */
import { LifecycleEvent } from "../receiver";
import { PipelinePhase, type GitContext, type PipelineInfo, type Stage } from "../types";
import { scalar, type Field, type Shape } from "./shapes";

type Fields<T> = { readonly [K in keyof Required<T>]: Field };

const STRING = scalar("string");
const required = (shape: Shape): Field => ({ shape });
const optional = (shape: Shape): Field => ({ shape, optional: true });
const oneOf = (label: string, values: readonly string[]): Shape => ({ kind: "scalar", name: "string", values, label });
const object = (name: string, fields: Readonly<Record<string, Field>>): Shape => ({ kind: "object", name, fields });

/** Every phase a run can have; `skipped` is a stage's phase only. */
export const RUN_PHASES: readonly PipelinePhase[] = Object.values(PipelinePhase).filter((phase) => phase !== PipelinePhase.Skipped);

const STAGE = object("stage", {
  name: required(STRING),
  phase: required(oneOf("a stage's phase", Object.values(PipelinePhase))),
  startedAt: optional(STRING),
  finishedAt: optional(STRING),
  message: optional(STRING),
  reason: optional(STRING),
  exitCode: optional(scalar("int")),
  step: optional(STRING),
  url: optional(STRING),
  inferred: optional(scalar("bool")),
} satisfies Fields<Stage>);

const GIT = object("pipeline.git", {
  repoUrl: optional(STRING),
  provider: optional(STRING),
  host: optional(STRING),
  owner: optional(STRING),
  repo: optional(STRING),
  sha: optional(STRING),
  ref: optional(STRING),
  pr: optional(STRING),
  sourceRepoUrl: optional(STRING),
} satisfies Fields<GitContext>);

const PIPELINE = object("pipeline", {
  id: required(STRING),
  uid: required(STRING),
  cluster: required(STRING),
  apiVersion: required(STRING),
  kind: required(STRING),
  name: required(STRING),
  namespace: required(STRING),
  generateName: optional(STRING),
  // Always there (empty when unknown), so `has(pipeline.template.name)` needs no guard of its own.
  template: required(object("pipeline.template", { kind: optional(STRING), name: optional(STRING) })),
  phase: required(oneOf("pipeline.phase", RUN_PHASES)),
  stages: required({ kind: "list", element: STAGE }),
  startedAt: optional(STRING),
  finishedAt: optional(STRING),
  message: optional(STRING),
  dashboardUrl: optional(STRING),
  // Always there too (empty without git context): `has(pipeline.git.sha)`.
  git: required(GIT),
  labels: required({ kind: "map", value: STRING }),
  annotations: required({ kind: "map", value: STRING }),
} satisfies Fields<PipelineInfo>);

/** The last finished run of the same pipeline: empty for a first run, so its fields are read behind has(). */
export interface PreviousRun {
  phase: PipelinePhase;
  finishedAt: string;
}

const PREVIOUS = object("previous", {
  phase: optional(oneOf("previous.phase", RUN_PHASES)),
  finishedAt: optional(STRING),
} satisfies Fields<PreviousRun>);

/** The variables of a `when` expression. */
export const VARIABLES: Readonly<Record<string, Shape>> = {
  event: oneOf("event", Object.values(LifecycleEvent)),
  pipeline: PIPELINE,
  previous: PREVIOUS,
};

/** The values an expression sees for one callback, shaped as declared above. */
export const conditionBindings = (event: LifecycleEvent, info: PipelineInfo, previous: PreviousRun | undefined) => ({
  event,
  pipeline: { ...info, template: info.template ?? {}, git: info.git ?? {} },
  previous: previous ?? {},
});
export type ConditionBindings = ReturnType<typeof conditionBindings>;
