/**
 * What a template can read, `event` and `pipeline`, declared once for `when`
 * conditions (shared/pipeline/condition/declarations.ts) and checked here
 * against every variable a template reads from outside: a name that is not
 * declared is an error at start even in a branch the sample runs never take.
 * A template's values are the run's fields with every declared field present:
 * what a run lacks is nil, which prints as nothing and is false in `{% if %}`.
 */
import type { Template } from "liquidjs";
import { VARIABLES, type Shape } from "../../pipeline/condition";
import type { LifecycleEvent } from "../../pipeline/receiver";
import type { PipelineInfo } from "../../pipeline/types";
import { globalVariables } from "./engine";

/** `previous` is for conditions only: a message is about this run. */
const TEMPLATE_VARIABLES: Readonly<Record<string, Shape>> = { event: VARIABLES.event!, pipeline: VARIABLES.pipeline! };
const KNOWN = Object.keys(TEMPLATE_VARIABLES).join(", ");

/** Liquid's own properties of a collection: `size` of a list, map or string, `first` and `last` of a list. */
const SIZE: Shape = { kind: "scalar", name: "int" };

/** The value with each declared field present (nil when the run lacks it) and nothing undeclared. */
const shaped = (value: unknown, shape: Shape): unknown => {
  if (shape.kind === "object") {
    const object = (value ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(shape.fields).map(([key, field]) => [key, shaped(object[key], field.shape)]));
  }
  if (value === undefined || value === null) return null;
  if (shape.kind === "list") return (value as unknown[]).map((item) => shaped(item, shape.element));
  if (shape.kind === "map") return { ...(value as Record<string, unknown>) };
  return value;
};

/** The values one callback's template sees. */
export const templateScope = (event: LifecycleEvent, info: PipelineInfo): Record<string, unknown> => ({
  event,
  pipeline: shaped(info, TEMPLATE_VARIABLES.pipeline!),
});

type Segment = ReturnType<typeof globalVariables>[number]["segments"][number];

/** Why a segment is no variable: appended to the message. */
interface Problem {
  readonly reason: string;
}

/** The shape reached by one more segment, or why there is none; undefined when it depends on the run (`labels[x]`). */
const step = (shape: Shape, segment: Segment, path: string): Shape | Problem | undefined => {
  const dynamic = typeof segment === "object";
  if (segment === "size" && (shape.kind !== "scalar" || shape.name === "string")) return SIZE;
  switch (shape.kind) {
    case "list":
      if (dynamic || typeof segment === "number" || segment === "first" || segment === "last") return shape.element;
      return { reason: `: ${path} is a list (size, first, last, [index])` };
    case "map":
      return shape.value;
    case "object":
      if (dynamic) return undefined;
      if (typeof segment === "string" && Object.hasOwn(shape.fields, segment)) return shape.fields[segment]!.shape;
      return { reason: ` (${shape.name} has ${Object.keys(shape.fields).join(", ")})` };
    case "dyn":
      return undefined;
    default:
      return { reason: `: ${path} is a ${shape.kind === "scalar" ? shape.name : "value"}` };
  }
};

/** The first variable the template reads that is not declared, with its place; undefined when all are. */
export const unknownVariable = (parsed: Template[]): string | undefined => {
  for (const variable of globalVariables(parsed)) {
    const [root, ...rest] = variable.segments;
    const at = `at line ${variable.location.row}, column ${variable.location.col}`;
    const declared = typeof root === "string" && Object.hasOwn(TEMPLATE_VARIABLES, root) ? TEMPLATE_VARIABLES[root] : undefined;
    if (!declared) return `unknown variable '${String(root)}' ${at} (known: ${KNOWN})`;
    let shape: Shape = declared;
    let path = String(root);
    for (const segment of rest) {
      const next = step(shape, segment, path);
      if (next === undefined) break;
      if ("reason" in next) return `unknown variable '${path}.${String(segment)}' ${at}${next.reason}`;
      shape = next;
      path = `${path}.${String(segment)}`;
    }
  }
  return undefined;
};
