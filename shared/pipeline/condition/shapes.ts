/**
 * The types a `when` expression's values have, as the start-time check
 * tracks them, and how they relate: what a function's declared parameter
 * takes, what `==` can compare, how the library's own types map in.
 */
import type { CelType } from "@bufbuild/cel";

/** The type of a value in an expression, as the checker tracks it. */
export type Shape =
  | { readonly kind: "dyn" }
  /** `values`: a string with known values (an enum), named `label` in messages. */
  | { readonly kind: "scalar"; readonly name: ScalarName; readonly values?: readonly string[]; readonly label?: string }
  | { readonly kind: "list"; readonly element: Shape }
  /** String keys. */
  | { readonly kind: "map"; readonly value: Shape }
  /** A declared object: a map at run time whose fields are known. */
  | { readonly kind: "object"; readonly name: string; readonly fields: Readonly<Record<string, Field>> }
  /** A type only a function gives, by its CEL name (`google.protobuf.Timestamp`). */
  | { readonly kind: "opaque"; readonly name: string };

export type ScalarName = "bool" | "int" | "uint" | "double" | "string" | "bytes" | "null_type" | "type";

export interface Field {
  readonly shape: Shape;
  /** Absent from some runs: the start-time samples leave it out, so a read without has() fails at start. */
  readonly optional?: true;
}

export const DYN: Shape = { kind: "dyn" };
export const scalar = (name: ScalarName): Shape => ({ kind: "scalar", name });
export const NUMERIC: ReadonlySet<string> = new Set(["int", "uint", "double"]);

export const formatShape = (shape: Shape): string => {
  switch (shape.kind) {
    case "dyn":
      return "dyn";
    case "scalar":
    case "object":
    case "opaque":
      return shape.name;
    case "list":
      return `list(${formatShape(shape.element)})`;
    case "map":
      return `map(string, ${formatShape(shape.value)})`;
  }
};

export const fromCel = (type: CelType): Shape => {
  switch (type.kind) {
    case "scalar":
      return type.name === "dyn" ? DYN : scalar(type.name as ScalarName);
    case "list":
      return { kind: "list", element: fromCel(type.element) };
    case "map":
      return { kind: "map", value: fromCel(type.value) };
    case "object":
      return { kind: "opaque", name: type.name };
  }
};

/** Whether a value of `actual` can be passed where a function declares `param`. */
export const assignable = (actual: Shape, param: CelType): boolean => {
  if (actual.kind === "dyn" || (param.kind === "scalar" && param.name === "dyn")) return true;
  switch (param.kind) {
    case "scalar":
      return actual.kind === "scalar" && actual.name === param.name;
    case "list":
      return actual.kind === "list" && assignable(actual.element, param.element);
    case "map":
      return actual.kind === "object" || (actual.kind === "map" && assignable(actual.value, param.value));
    case "object":
      return actual.kind === "opaque" && actual.name === param.name;
  }
};

/** Whether `==` between the two can ever be true (CEL compares numbers across int, uint and double). */
export const comparable = (a: Shape, b: Shape): boolean => {
  if (a.kind === "dyn" || b.kind === "dyn") return true;
  if ((a.kind === "scalar" && a.name === "null_type") || (b.kind === "scalar" && b.name === "null_type")) return true;
  if (a.kind === "scalar" && b.kind === "scalar") return a.name === b.name || (NUMERIC.has(a.name) && NUMERIC.has(b.name));
  if (a.kind === "list" && b.kind === "list") return comparable(a.element, b.element);
  const mapLike = (s: Shape) => s.kind === "map" || s.kind === "object";
  if (mapLike(a) && mapLike(b)) return true;
  return a.kind === "opaque" && b.kind === "opaque" && a.name === b.name;
};

export const join = (shapes: readonly Shape[]): Shape => {
  const [first, ...rest] = shapes;
  if (!first) return DYN;
  return rest.every((s) => formatShape(s) === formatShape(first)) ? first : DYN;
};

export const isBool = (shape: Shape): boolean => shape.kind === "dyn" || (shape.kind === "scalar" && shape.name === "bool");
