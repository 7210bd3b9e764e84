/**
 * Runs a CRD's CEL rules on an object (a create) or on an object and its old
 * version (an update) with the API server's semantics, as documented at
 * https://kubernetes.io/docs/reference/using-api/cel/:
 * - `self` is the value at the rule's schema node, typed from the schema
 *   (integer → int, number → double, date-time → timestamp, duration,
 *   byte → bytes); absent and null fields are absent (`has()` is false);
 * - a rule on a node the object does not have does not run;
 * - a transition rule (one that reads `oldSelf`) runs only on an update where
 *   the old object has a value at the same place (items of map-type lists are
 *   paired by their keys, map values by key);
 * - a false rule reports `messageExpression` when that yields a usable
 *   string, else `message`, else "failed rule: <rule>"; an evaluation error
 *   is a rejection too.
 * Validation ratcheting (1.30+: errors on unchanged values are ignored) is
 * deliberately not modelled: the rules must hold on every update, the
 * stricter behaviour of 1.25–1.29.
 */
import { isCelError, run, type CelInput, type CelResult } from '@bufbuild/cel';
import type { KubernetesObject } from '@kubernetes/client-node';
import { celFieldName, CelRuleCompileError, compileCrdVersion, type CompiledRule } from './cel-compile';
import { crdVersions, type Schema } from './cel-overlay';

export interface Violation {
  /** The rule's id, `Kind/version:location#index`. */
  rule: string;
  /** Where the value sits in the object, e.g. `spec.credentialsRef` (plus the rule's fieldPath). */
  field: string;
  message: string;
  reason: string;
}

type Plain = Record<string, unknown>;

function fromCel(result: CelResult, what: string): CelInput {
  if (isCelError(result)) throw new TypeError(`${what}: ${result.message}`);
  return result as CelInput;
}

/** Untyped values (x-kubernetes-preserve-unknown-fields) the way unstructured JSON reaches CEL. */
function dynamic(value: unknown): CelInput | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((item) => dynamic(item) ?? null);
  if (typeof value === 'object') return new Map(Object.entries(value).flatMap(([key, item]) => (item === null ? [] : [[key, dynamic(item) as CelInput]])));
  return value as CelInput;
}

/** The CEL value of `value` typed by `schema`; undefined when the field is absent. */
export function toCel(value: unknown, schema: Schema | undefined, at = '<root>'): CelInput | undefined {
  if (value === null || value === undefined) return undefined;
  if (schema === undefined || schema['x-kubernetes-int-or-string']) return dynamic(value);
  const mismatch = () => new TypeError(`${at}: ${JSON.stringify(value)} is not a ${schema.type}${schema.format ? ` (${schema.format})` : ''}; the schema would reject it before any rule runs`);
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) throw mismatch();
      const entries = Object.entries(value as Plain);
      if (typeof schema.additionalProperties === 'object') {
        const values = schema.additionalProperties;
        return new Map(entries.flatMap(([key, item]) => (item === null ? [] : [[key, toCel(item, values, `${at}.${key}`) as CelInput]])));
      }
      if (schema.properties === undefined) return dynamic(value);
      // Undeclared fields are pruned by the API server before validation.
      return new Map(
        entries.flatMap(([key, item]) => {
          const property = schema.properties?.[key];
          const name = celFieldName(key);
          const converted = property === undefined ? undefined : toCel(item, property, `${at}.${key}`);
          return name === undefined || converted === undefined ? [] : [[name, converted]];
        }),
      );
    }
    case 'array':
      if (!Array.isArray(value)) throw mismatch();
      return value.map((item, index) => toCel(item, schema.items, `${at}[${index}]`) ?? null);
    case 'integer':
      if (!Number.isInteger(value)) throw mismatch();
      return BigInt(value as number);
    case 'number':
      if (typeof value !== 'number') throw mismatch();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch();
      return value;
    case 'string':
      if (typeof value !== 'string') throw mismatch();
      if (schema.format === 'byte') return new Uint8Array(Buffer.from(value, 'base64'));
      if (schema.format === 'duration') return fromCel(run('duration(s)', { s: value }), at);
      if (schema.format === 'date-time') return fromCel(run('timestamp(s)', { s: value }), at);
      if (schema.format === 'date') return fromCel(run('timestamp(s)', { s: `${value}T00:00:00Z` }), at);
      return value;
    default:
      return dynamic(value);
  }
}

/** A usable messageExpression result: a string that is not blank and has no line break. */
function failureMessage(rule: CompiledRule, bindings: Record<string, CelInput>): string {
  const expressed = rule.message?.(bindings);
  if (typeof expressed === 'string' && expressed.trim() !== '' && !/[\r\n]/.test(expressed)) return expressed;
  return rule.source.message ?? `failed rule: ${rule.source.rule}`;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** The old item a map-type list item is paired with: the one with the same key values. */
function pairedItem(schema: Schema, item: unknown, old: unknown): unknown {
  if (schema['x-kubernetes-list-type'] !== 'map' || !Array.isArray(old) || item === null || typeof item !== 'object') return undefined;
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  return old.find((candidate: Plain | null) => candidate !== null && keys.every((key) => candidate[key] === (item as Plain)[key]));
}

export class CelValidator {
  constructor(
    readonly kind: string,
    readonly version: string,
    private readonly schema: Schema,
    private readonly compiled: Map<Schema, CompiledRule[]>,
  ) {}

  /** Every compiled rule, in schema order. */
  get rules(): CompiledRule[] {
    return [...this.compiled.values()].flat();
  }

  /** The violations of `object` (a create), or of `object` replacing `old` (an update). */
  validate(object: KubernetesObject, old?: KubernetesObject): Violation[] {
    return this.walk(this.schema, object, old, '');
  }

  private walk(schema: Schema, value: unknown, old: unknown, path: string): Violation[] {
    if (value === null || value === undefined) return [];
    const violations = (this.compiled.get(schema) ?? []).flatMap((rule) => this.check(rule, schema, value, old, path));
    const record = value as Plain;
    const previous = old !== null && typeof old === 'object' ? (old as Plain) : undefined;
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      violations.push(...this.walk(child, record[name], previous?.[name], join(path, name)));
    }
    if (typeof schema.additionalProperties === 'object' && typeof value === 'object') {
      for (const key of Object.keys(record)) violations.push(...this.walk(schema.additionalProperties, record[key], previous?.[key], `${path}[${key}]`));
    }
    if (schema.items !== undefined && Array.isArray(value)) {
      value.forEach((item, index) => violations.push(...this.walk(schema.items as Schema, item, pairedItem(schema, item, old), `${path}[${index}]`)));
    }
    return violations;
  }

  private check(rule: CompiledRule, schema: Schema, value: unknown, old: unknown, path: string): Violation[] {
    if (rule.transition && (old === null || old === undefined)) return [];
    const bindings: Record<string, CelInput> = { self: toCel(value, schema, path) as CelInput };
    if (rule.transition) bindings.oldSelf = toCel(old, schema, path) as CelInput;
    const result = rule.evaluate(bindings);
    // fieldPath is relative to the rule's node: `.name`, `.map['key']`.
    const field = `${path}${rule.source.fieldPath ?? ''}`.replace(/^\./, '') || '<root>';
    const reason = rule.source.reason ?? 'FieldValueInvalid';
    if (result === true) return [];
    if (isCelError(result)) return [{ rule: rule.id, field, reason, message: `evaluation error: ${result.message}` }];
    if (result !== false) return [{ rule: rule.id, field, reason, message: `rule returned ${String(result)}, not a bool` }];
    return [{ rule: rule.id, field, reason, message: failureMessage(rule, bindings) }];
  }
}

/**
 * One validator per CRD kind, for the version objects are written in (the
 * storage version). Compile problems of all CRDs are thrown together.
 */
export function celValidators(crds: readonly KubernetesObject[]): Map<string, CelValidator> {
  const problems: string[] = [];
  const validators = new Map<string, CelValidator>();
  for (const crd of crds) {
    for (const version of crdVersions(crd)) {
      try {
        const { schema, rules } = compileCrdVersion(version);
        validators.set(`${version.kind}/${version.version}`, new CelValidator(version.kind, version.version, schema, rules));
      } catch (error) {
        if (!(error instanceof CelRuleCompileError)) throw error;
        problems.push(...error.problems);
      }
    }
  }
  if (problems.length > 0) throw new CelRuleCompileError(problems);
  return validators;
}

/** The validator for an object's `kind` and the version in its `apiVersion`. */
export function validatorFor(validators: ReadonlyMap<string, CelValidator>, object: KubernetesObject): CelValidator {
  const version = (object.apiVersion ?? '').split('/').pop() ?? '';
  const validator = validators.get(`${object.kind}/${version}`);
  if (validator === undefined) throw new Error(`no CRD for ${object.kind} ${object.apiVersion}`);
  return validator;
}
