import { celEnv, celType, isCelError, parse, plan, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { ConfigError } from "../../config";
import type { LifecycleEvent } from "../receiver";
import type { PipelineInfo } from "../types";
import { placeOf, typeProblem } from "./check";
import { conditionBindings, VARIABLES, type ConditionBindings, type PreviousRun } from "./declarations";
import { SAMPLES } from "./samples";

/** CEL's standard functions and the `strings` extension (`lowerAscii`, `split`, `join`, …), as cel-go offers them. */
const ENV = celEnv({ funcs: strings });

type Parsed = ReturnType<typeof parse>;
type Expr = Parsed["expr"];

/** A receiver's `when`, compiled once at start. */
export interface Condition {
  readonly source: string;
  /** The expression reads `previous`: the run's previous finish has to be looked up for it. */
  readonly readsPrevious: boolean;
  /**
   * Whether the callback is made. An error is a run the start-time samples
   * did not foresee (a label read without a guard that a sample had); the
   * caller treats it as false and says so.
   */
  test(event: LifecycleEvent, info: PipelineInfo, previous: PreviousRun | undefined): boolean | Error;
  /** Whether evaluating for this callback comes to `previous` at all; if not, the answer is the same whatever it is. */
  readsPreviousOn(event: LifecycleEvent, info: PipelineInfo): boolean;
}

const children = (expr: Expr): Array<Expr | undefined> => {
  const kind = expr.exprKind;
  switch (kind.case) {
    case "selectExpr":
      return [kind.value.operand];
    case "callExpr":
      return [kind.value.target, ...kind.value.args];
    case "listExpr":
      return kind.value.elements;
    case "structExpr":
      return kind.value.entries.flatMap((entry) => [entry.keyKind.case === "mapKey" ? entry.keyKind.value : undefined, entry.value]);
    case "comprehensionExpr":
      return [kind.value.iterRange, kind.value.accuInit, kind.value.loopCondition, kind.value.loopStep, kind.value.result];
    default:
      return [];
  }
};

const mentions = (expr: Expr | undefined, name: string): boolean =>
  expr !== undefined && ((expr.exprKind.case === "identExpr" && expr.exprKind.value.name === name) || children(expr).some((child) => mentions(child, name)));

/** By source: the receivers are checked where they are built and compiled again where they are used, once per process. */
const compiled = new Map<string, Condition>();

/**
 * Parses, type-checks and plans `source`, then evaluates it against every
 * sample run (samples.ts). Any problem is a ConfigError at `path`
 * (`receivers[0].when`) with CEL's own message, so a broken expression stops
 * the program at start instead of failing at the first event.
 */
export const compileCondition = (source: string, path: string): Condition => {
  const known = compiled.get(source);
  if (known) return known;
  const condition = compile(source, path);
  compiled.set(source, condition);
  return condition;
};

const compile = (source: string, path: string): Condition => {
  let parsed: Parsed;
  try {
    parsed = parse(source);
  } catch (error) {
    throw new ConfigError(path, (error as Error).message, { cause: error });
  }
  const problem = typeProblem(ENV, parsed, source, VARIABLES);
  if (problem) throw new ConfigError(path, problem);
  const evaluate = plan(ENV, parsed);
  // The bindings are plain objects, which CEL reads as maps; its input type has no room for an interface.
  const run = (bindings: ConditionBindings) => evaluate(bindings as unknown as Record<string, CelInput>);
  for (const { label, bindings } of SAMPLES) {
    const result = run(bindings);
    if (isCelError(result)) {
      const where = placeOf(parsed, source, result.exprId);
      throw new ConfigError(path, `${where}: ${result.message}, on a run with ${label}; guard what a run may lack with has()`);
    }
    if (typeof result !== "boolean") throw new ConfigError(path, `gives ${String(celType(result))}, not a bool, on a run with ${label}`);
  }
  const readsPrevious = mentions(parsed.expr, "previous");
  return {
    source,
    readsPrevious,
    test: (event, info, previous) => {
      const result = run(conditionBindings(event, info, previous));
      if (isCelError(result)) return new Error(result.message);
      return result === true;
    },
    readsPreviousOn: (event, info) => {
      if (!readsPrevious) return false;
      // CEL resolves a variable when evaluation reaches it (`false && previous…`
      // never does). Should it resolve every variable up front, this only
      // costs a read that was not needed.
      let reached = false;
      const bindings = conditionBindings(event, info, undefined);
      run({
        ...bindings,
        get previous() {
          reached = true;
          return bindings.previous;
        },
      });
      return reached;
    },
  };
};
