export { compileCondition, type Condition } from "./compile";
export { conditionBindings, VARIABLES, type PreviousRun } from "./declarations";
export { RUN_SAMPLES, type RunSample } from "./samples";
export type { Field, Shape } from "./shapes";
