/**
 * The start-time type check of a `when` expression.
 *
 * @bufbuild/cel 0.6.1 parses, plans and evaluates CEL, but its type checker
 * is not exported and checks only constants and identifiers, and it cannot
 * declare a message-like type without a protobuf descriptor. So this walks
 * the parsed expression against the declared variables (declarations.ts):
 * undeclared names, undefined fields along the declared objects, calls
 * matched against the overloads the library's own functions declare
 * (argument and result types), operands of `==` that can never be equal,
 * and a string compared with an enum (`event`, a phase) that is none of its
 * values. Messages follow cel-go's wording. What types cannot show (a field
 * read without has() on a run that lacks it) is left to the evaluation
 * against sample runs in compile.ts.
 */
import type { CelEnv, parse } from "@bufbuild/cel";
import { assignable, comparable, DYN, formatShape, fromCel, isBool, join, NUMERIC, scalar, type ScalarName, type Shape } from "./shapes";

type Parsed = ReturnType<typeof parse>;
type Expr = Parsed["expr"];

const BOOL = scalar("bool");
const STRING = scalar("string");
const TYPE_NAMES: ReadonlySet<string> = new Set(["bool", "bytes", "double", "duration", "dyn", "int", "list", "map", "null_type", "string", "timestamp", "type", "uint"]);

/** A problem, at the expression that has it. */
class TypeProblem extends Error {
  constructor(
    readonly exprId: bigint,
    message: string,
  ) {
    super(message);
    this.name = "TypeProblem";
  }
}

interface Typed {
  readonly shape: Shape;
  /** The value of a string constant. */
  readonly literal?: string;
}

class Checker {
  readonly #env: CelEnv;
  readonly #variables: Readonly<Record<string, Shape>>;
  readonly #scopes: Array<ReadonlyMap<string, Shape>> = [];

  constructor(env: CelEnv, variables: Readonly<Record<string, Shape>>) {
    this.#env = env;
    this.#variables = variables;
  }

  check(expr: Expr): Shape {
    const kind = expr.exprKind;
    switch (kind.case) {
      case "constExpr":
        return this.#constant(kind.value.constantKind.case);
      case "identExpr":
        return this.#ident(expr.id, kind.value.name);
      case "selectExpr": {
        const field = this.#field(expr.id, this.check(kind.value.operand!), kind.value.field);
        return kind.value.testOnly ? BOOL : field;
      }
      case "callExpr":
        return this.#call(expr.id, kind.value.function, kind.value.target, kind.value.args);
      case "listExpr":
        return { kind: "list", element: join(kind.value.elements.map((e) => this.check(e))) };
      case "structExpr": {
        if (kind.value.messageName) throw new TypeProblem(expr.id, `unknown type '${kind.value.messageName}'`);
        const values = kind.value.entries.map((entry) => {
          if (entry.keyKind.case === "mapKey") this.check(entry.keyKind.value);
          return this.check(entry.value!);
        });
        return { kind: "map", value: join(values) };
      }
      case "comprehensionExpr":
        return this.#comprehension(expr.id, kind.value);
      default:
        return DYN;
    }
  }

  #constant(kind: string | undefined): Shape {
    const names: Record<string, ScalarName> = {
      boolValue: "bool",
      int64Value: "int",
      uint64Value: "uint",
      doubleValue: "double",
      stringValue: "string",
      bytesValue: "bytes",
      nullValue: "null_type",
    };
    const name = kind === undefined ? undefined : names[kind];
    return name ? scalar(name) : DYN;
  }

  #ident(id: bigint, name: string): Shape {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const shape = this.#scopes[i]!.get(name);
      if (shape) return shape;
    }
    if (Object.hasOwn(this.#variables, name)) return this.#variables[name]!;
    if (TYPE_NAMES.has(name)) return scalar("type");
    throw new TypeProblem(id, `undeclared reference to '${name}' (declared: ${Object.keys(this.#variables).join(", ")})`);
  }

  #field(id: bigint, operand: Shape, field: string): Shape {
    switch (operand.kind) {
      case "dyn":
        return DYN;
      case "map":
        return operand.value;
      case "object": {
        if (Object.hasOwn(operand.fields, field)) return operand.fields[field]!.shape;
        throw new TypeProblem(id, `undefined field '${field}' (${operand.name} has ${Object.keys(operand.fields).join(", ")})`);
      }
      default:
        throw new TypeProblem(id, `type '${formatShape(operand)}' does not support field selection`);
    }
  }

  /** The expression's type; a string constant keeps its value for the enum check. */
  #typed(expr: Expr): Typed {
    const shape = this.check(expr);
    const constant = expr.exprKind.case === "constExpr" ? expr.exprKind.value.constantKind : undefined;
    return constant?.case === "stringValue" ? { shape, literal: constant.value } : { shape };
  }

  #call(id: bigint, name: string, target: Expr | undefined, args: readonly Expr[]): Shape {
    const noOverload = (shapes: readonly Shape[], on?: Shape): TypeProblem =>
      new TypeProblem(id, `found no matching overload for '${name}' applied to '${on ? `${formatShape(on)}.` : ""}(${shapes.map(formatShape).join(", ")})'`);
    switch (name) {
      case "_&&_":
      case "_||_":
      case "@not_strictly_false": {
        const shapes = args.map((a) => this.check(a));
        if (!shapes.every(isBool)) throw noOverload(shapes);
        return BOOL;
      }
      case "_?_:_": {
        const [condition, ...branches] = args.map((a) => this.check(a));
        if (!isBool(condition!)) throw noOverload([condition!, ...branches]);
        return join(branches);
      }
      case "_==_":
      case "_!=_": {
        const [a, b] = args.map((arg) => this.#typed(arg)) as [Typed, Typed];
        if (!comparable(a.shape, b.shape)) throw noOverload([a.shape, b.shape]);
        this.#enumValue(id, a.shape, b.literal);
        this.#enumValue(id, b.shape, a.literal);
        return BOOL;
      }
      case "@in":
        return this.#in(id, args, noOverload);
      case "_[_]":
        return this.#index(args, noOverload);
      default:
        return this.#overload(id, name, target, args, noOverload);
    }
  }

  /** A string constant compared with an enum must be one of its values: `event == "finshed"` is never true. */
  #enumValue(id: bigint, shape: Shape, literal: string | undefined): void {
    if (literal === undefined || shape.kind !== "scalar" || !shape.values || shape.values.includes(literal)) return;
    throw new TypeProblem(id, `'${literal}' is never ${shape.label}, which is one of ${shape.values.join(", ")}`);
  }

  #in(id: bigint, args: readonly Expr[], noOverload: (shapes: readonly Shape[]) => TypeProblem): Shape {
    const [element, collection] = args as [Expr, Expr];
    const value = this.check(element);
    const range = this.check(collection);
    if (range.kind === "list") {
      if (!comparable(value, range.element)) throw noOverload([value, range]);
      // `event in ["created", "finshed"]`: each constant must be a value of the enum.
      if (collection.exprKind.case === "listExpr") for (const item of collection.exprKind.value.elements) this.#enumValue(id, value, this.#typed(item).literal);
      return BOOL;
    }
    if (range.kind === "map" || range.kind === "object") {
      if (!comparable(value, STRING)) throw noOverload([value, range]);
      return BOOL;
    }
    if (range.kind === "dyn") return BOOL;
    throw noOverload([value, range]);
  }

  #index(args: readonly Expr[], noOverload: (shapes: readonly Shape[]) => TypeProblem): Shape {
    const [collection, key] = args.map((a) => this.#typed(a)) as [Typed, Typed];
    const { shape } = collection;
    if (shape.kind === "dyn") return DYN;
    if (shape.kind === "list" && (key.shape.kind === "dyn" || (key.shape.kind === "scalar" && NUMERIC.has(key.shape.name)))) return shape.element;
    if (shape.kind === "map" && comparable(key.shape, STRING)) return shape.value;
    if (shape.kind === "object" && comparable(key.shape, STRING)) {
      return key.literal === undefined ? DYN : this.#field(args[1]!.id, shape, key.literal);
    }
    throw noOverload([shape, key.shape]);
  }

  /** A function or method of the environment, matched by its declared argument types. */
  #overload(id: bigint, name: string, target: Expr | undefined, args: readonly Expr[], noOverload: (shapes: readonly Shape[], on?: Shape) => TypeProblem): Shape {
    const group = this.#env.funcs.find(name);
    if (!group) throw new TypeProblem(id, `undeclared reference to '${name}'`);
    const on = target ? this.check(target) : undefined;
    const shapes = args.map((a) => this.check(a));
    const matches = [...group].filter(
      (func) =>
        (func.target === undefined) === (on === undefined) &&
        (on === undefined || assignable(on, func.target!)) &&
        func.arguments.length === shapes.length &&
        shapes.every((shape, i) => assignable(shape, func.arguments[i]!)),
    );
    if (matches.length === 0) throw noOverload(shapes, on);
    return join(matches.map((func) => fromCel(func.result)));
  }

  #comprehension(id: bigint, c: Extract<Expr["exprKind"], { case: "comprehensionExpr" }>["value"]): Shape {
    const range = this.check(c.iterRange!);
    let first: Shape;
    let second: Shape = DYN;
    if (range.kind === "list") [first, second] = [range.element, range.element];
    else if (range.kind === "map") [first, second] = [STRING, range.value];
    else if (range.kind === "object" || range.kind === "dyn") first = range.kind === "dyn" ? DYN : STRING;
    else throw new TypeProblem(id, `expression of type '${formatShape(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`);
    // Two variables: over a list the index and the element, over a map the key and the value.
    if (c.iterVar2 !== "" && range.kind === "list") first = scalar("int");
    const accumulator = this.check(c.accuInit!);
    const loop = new Map([[c.accuVar, accumulator], [c.iterVar, first]]);
    if (c.iterVar2 !== "") loop.set(c.iterVar2, second);
    this.#scopes.push(loop);
    this.check(c.loopCondition!);
    this.check(c.loopStep!);
    this.#scopes.pop();
    this.#scopes.push(new Map([[c.accuVar, accumulator]]));
    const result = this.check(c.result!);
    this.#scopes.pop();
    return result;
  }
}

/** `<input>:line:column` of an expression, the way the parser names a place in its own errors. */
export const placeOf = (parsed: Parsed, source: string, exprId: bigint | undefined): string => {
  const offset = exprId === undefined ? undefined : parsed.sourceInfo?.positions[String(exprId)];
  if (offset === undefined) return "<input>";
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  return `<input>:${line}:${offset - before.lastIndexOf("\n")}`;
};

/**
 * The first type problem of a parsed expression with CEL's position prefix,
 * or undefined when it type-checks and gives a bool.
 */
export const typeProblem = (env: CelEnv, parsed: Parsed, source: string, variables: Readonly<Record<string, Shape>>): string | undefined => {
  try {
    const shape = new Checker(env, variables).check(parsed.expr);
    if (!isBool(shape)) throw new TypeProblem(parsed.expr.id, `expected type 'bool' but found '${formatShape(shape)}'`);
    return undefined;
  } catch (error) {
    if (!(error instanceof TypeProblem)) throw error;
    return `${placeOf(parsed, source, error.exprId)}: ${error.message}`;
  }
};
