export { compileCondition, type Condition } from "./compile";
export { conditionBindings, type PreviousRun } from "./declarations";
