/**
 * Compiles the `x-kubernetes-validations` rules of a CRD schema the way the
 * API server does when the CRD is created, so that a rule that would not
 * compile there fails a test here with the rule's location.
 *
 * @bufbuild/cel parses and evaluates CEL but exposes no type checker, and its
 * maps answer an unknown field only at run time ("field not found") or not at
 * all (`has()` is simply false). Kubernetes types `self` from the schema, so
 * `has(self.gihub)` is a compile error there. `checkExpression` below does that
 * part of the checking: identifiers, declared fields along the schema, and
 * functions that exist. Semantics: https://kubernetes.io/docs/reference/using-api/cel/
 */
import { celEnv, parse, plan, type CelInput, type CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { CrdVersion, Schema, ValidationRule } from './cel-overlay';

type Expr = ReturnType<typeof parse>['expr'];
type Bindings = Record<string, CelInput>;

/**
 * Kubernetes adds the cel-go `strings` extension (lowerAscii, split, …), which
 * @bufbuild/cel ships too. Its other libraries (lists `isSorted`/`sum`, `url()`,
 * `ip()`, `quantity()`, regex `find`, sets, optionals) are missing; a rule
 * calling one fails to compile here with a message saying so, and the function
 * is then to be written in this helper after the Kubernetes CEL docs.
 */
const ENV = celEnv({ funcs: strings });
const FUNCTIONS = new Set([...ENV.funcs].map((func) => func.name));
/** Operators the planner evaluates itself rather than through the function resolver. */
const PLANNED = new Set(['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false', '__not_strictly_false__']);
/** Type names CEL lets a rule mention, e.g. `type(self) == string`. */
const TYPE_NAMES = new Set(['bool', 'bytes', 'double', 'duration', 'dyn', 'int', 'list', 'map', 'null_type', 'string', 'timestamp', 'type', 'uint']);

/** Kubernetes' escaping of property names into CEL field names (see "Escaping" in the CEL docs). */
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
export function celFieldName(property: string): string | undefined {
  if (RESERVED.has(property)) return `__${property}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(property)) return undefined;
  return property.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

/** Only `metadata.name` and `metadata.generateName` of the object are visible to a rule on the root. */
export function celView(root: Schema): Schema {
  const metadata: Schema = { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } };
  return root.properties?.metadata ? { ...root, properties: { ...root.properties, metadata } } : root;
}

function isMap(schema: Schema): schema is Schema & { additionalProperties: Schema } {
  return typeof schema.additionalProperties === 'object' && schema.properties === undefined;
}

/** The schema of `operand.field`, or a problem when the schema declares no such field. */
function fieldOf(operand: Schema | undefined, field: string, problems: string[]): Schema | undefined {
  if (operand === undefined || (operand['x-kubernetes-preserve-unknown-fields'] && operand.properties === undefined)) return undefined;
  if (isMap(operand)) return operand.additionalProperties;
  if (operand.type !== 'object') {
    problems.push(`type '${operand.type ?? 'unknown'}' does not support field selection ('${field}')`);
    return undefined;
  }
  const entry = Object.entries(operand.properties ?? {}).find(([name]) => celFieldName(name) === field);
  if (entry === undefined) problems.push(`undefined field '${field}'`);
  return entry?.[1];
}

function elementOf(collection: Schema | undefined): Schema | undefined {
  if (collection?.type === 'array') return collection.items;
  if (collection !== undefined && isMap(collection)) return collection.additionalProperties;
  return undefined;
}

/** Walks the expression, returning the schema of its value where known (undefined: dyn). */
function checkExpression(expr: Expr | undefined, scope: ReadonlyMap<string, Schema | undefined>, problems: string[]): Schema | undefined {
  const kind = expr?.exprKind;
  switch (kind?.case) {
    case 'identExpr':
      if (scope.has(kind.value.name)) return scope.get(kind.value.name);
      if (!TYPE_NAMES.has(kind.value.name)) problems.push(`undeclared reference to '${kind.value.name}'`);
      return undefined;
    case 'selectExpr':
      return fieldOf(checkExpression(kind.value.operand, scope, problems), kind.value.field, problems);
    case 'callExpr': {
      const { function: name, target, args } = kind.value;
      const namespace = target?.exprKind.case === 'identExpr' && !scope.has(target.exprKind.value.name) ? target.exprKind.value.name : undefined;
      const qualified = namespace !== undefined && FUNCTIONS.has(`${namespace}.${name}`);
      if (!qualified && !FUNCTIONS.has(name) && !PLANNED.has(name)) {
        problems.push(`undeclared function '${name}' (Kubernetes may offer it; the test helper does not: add it after https://kubernetes.io/docs/reference/using-api/cel/)`);
      }
      if (target !== undefined && !qualified) checkExpression(target, scope, problems);
      const types = args.map((arg) => checkExpression(arg, scope, problems));
      return name === '_[_]' ? elementOf(types[0]) : undefined;
    }
    case 'listExpr':
      kind.value.elements.forEach((element) => checkExpression(element, scope, problems));
      return undefined;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') checkExpression(entry.keyKind.value, scope, problems);
        checkExpression(entry.value, scope, problems);
      }
      return undefined;
    case 'comprehensionExpr': {
      const { iterVar, iterVar2, iterRange, accuVar, accuInit, loopCondition, loopStep, result } = kind.value;
      const range = checkExpression(iterRange, scope, problems);
      checkExpression(accuInit, scope, problems);
      // Over a map the first variable is the key (a string); over a list, the element.
      const first = range?.type === 'array' ? range.items : range !== undefined && isMap(range) ? { type: 'string' } : undefined;
      const inner = new Map(scope).set(accuVar, undefined).set(iterVar, first);
      if (iterVar2 !== '') inner.set(iterVar2, elementOf(range));
      checkExpression(loopCondition, inner, problems);
      checkExpression(loopStep, inner, problems);
      checkExpression(result, new Map(scope).set(accuVar, undefined), problems);
      return undefined;
    }
    default:
      return undefined;
  }
}

function children(expr: Expr): Array<Expr | undefined> {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      return [kind.value.operand];
    case 'callExpr':
      return [kind.value.target, ...kind.value.args];
    case 'listExpr':
      return kind.value.elements;
    case 'structExpr':
      return kind.value.entries.flatMap((entry) => [entry.keyKind.case === 'mapKey' ? entry.keyKind.value : undefined, entry.value]);
    case 'comprehensionExpr':
      return [kind.value.iterRange, kind.value.accuInit, kind.value.loopCondition, kind.value.loopStep, kind.value.result];
    default:
      return [];
  }
}

function mentions(expr: Expr | undefined, name: string): boolean {
  if (expr === undefined) return false;
  return (expr.exprKind.case === 'identExpr' && expr.exprKind.value.name === name) || children(expr).some((child) => mentions(child, name));
}

export interface CompiledRule {
  /** `Kind/version:location#index`, e.g. `GitRepo/v1alpha1:spec.credentialsRef#0`. */
  id: string;
  source: ValidationRule;
  /** A transition rule: it reads `oldSelf`, so it runs only on an update where an old value exists. */
  transition: boolean;
  evaluate(bindings: Bindings): CelResult;
  message?: (bindings: Bindings) => CelResult;
}

export class CelRuleCompileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`CEL rules that the API server would refuse:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'CelRuleCompileError';
  }
}

function compileExpression(text: string, node: Schema, problems: string[]): Expr | undefined {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (error) {
    problems.push(`syntax error: ${(error as Error).message}`);
    return undefined;
  }
  checkExpression(parsed.expr, new Map([['self', node], ['oldSelf', node]]), problems);
  return parsed.expr;
}

/** One rule as the API server would compile it; every problem is prefixed with the rule's id. */
export function compileRule(id: string, source: ValidationRule, node: Schema, correlatable: boolean, problems: string[]): CompiledRule | undefined {
  const own: string[] = [];
  const rule = compileExpression(source.rule, node, own);
  const message = source.messageExpression === undefined ? undefined : compileExpression(source.messageExpression, node, own);
  if (source.messageExpression !== undefined && mentions(message, 'oldSelf') && !mentions(rule, 'oldSelf')) own.push('messageExpression: oldSelf only where the rule itself is a transition rule');
  const transition = mentions(rule, 'oldSelf');
  // Old and new values are paired only through objects, maps and map-type lists.
  if (transition && !correlatable) own.push('oldSelf where old and new values cannot be paired (under a list that is not x-kubernetes-list-type: map)');
  // @bufbuild/cel has no optional types, which optionalOldSelf binds oldSelf to.
  if (source.optionalOldSelf === true) own.push('optionalOldSelf is not supported by the test helper (no optional types in @bufbuild/cel)');
  if (source.message?.includes('\n')) own.push('message must not contain line breaks');
  if (source.rule.includes('\n') && source.message === undefined && source.messageExpression === undefined) own.push('a rule with line breaks needs a message');
  problems.push(...own.map((problem) => `${id}: ${problem} in \`${source.rule}\``));
  if (own.length > 0 || rule === undefined) return undefined;
  return {
    id,
    source,
    transition,
    evaluate: plan(ENV, rule) as CompiledRule['evaluate'],
    ...(message === undefined ? {} : { message: plan(ENV, message) as CompiledRule['evaluate'] }),
  };
}

export interface RuleSite {
  location: string;
  node: Schema;
  correlatable: boolean;
}

/** Every schema node that carries rules, with its location (`[*]` for list items and map values). */
export function ruleSites(schema: Schema, location = '', correlatable = true): RuleSite[] {
  const here = (schema['x-kubernetes-validations'] ?? []).length > 0 ? [{ location, node: schema, correlatable }] : [];
  const join = (name: string) => (location === '' ? name : `${location}.${name}`);
  const properties = Object.entries(schema.properties ?? {}).flatMap(([name, child]) => ruleSites(child, join(name), correlatable));
  const items = schema.items ? ruleSites(schema.items, `${location}[*]`, correlatable && schema['x-kubernetes-list-type'] === 'map') : [];
  const values = typeof schema.additionalProperties === 'object' ? ruleSites(schema.additionalProperties, `${location}[*]`, correlatable) : [];
  return [...here, ...properties, ...items, ...values];
}

export interface CompiledVersion {
  /** The schema as rules see it (see `celView`): walk this one, the rules are keyed by its nodes. */
  schema: Schema;
  rules: Map<Schema, CompiledRule[]>;
}

/** All rules of one CRD version, keyed by the schema node they sit on; throws with every problem found. */
export function compileCrdVersion({ kind, version, schema }: CrdVersion): CompiledVersion {
  const problems: string[] = [];
  const compiled = new Map<Schema, CompiledRule[]>();
  const view = celView(schema);
  for (const { location, node, correlatable } of ruleSites(view)) {
    const rules = (node['x-kubernetes-validations'] ?? []).map((source, index) => compileRule(`${kind}/${version}:${location || '<root>'}#${index}`, source, node, correlatable, problems));
    compiled.set(node, rules.filter((rule): rule is CompiledRule => rule !== undefined));
  }
  if (problems.length > 0) throw new CelRuleCompileError(problems);
  return { schema: view, rules: compiled };
}
