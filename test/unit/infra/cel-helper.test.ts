import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CelRuleCompileError } from '../../helpers/cel-compile';
import type { Schema, ValidationRule } from '../../helpers/cel-overlay';
import { celValidators, type CelValidator } from '../../helpers/cel-validate';

/**
 * The helper's own semantics, on small schemas: the Kubernetes behaviour the
 * overlay's tests rely on (https://kubernetes.io/docs/reference/using-api/cel/).
 */

function crd(spec: Schema): KubernetesObject {
  const schema: Schema = { type: 'object', properties: { metadata: { type: 'object' }, spec } };
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: { names: { kind: 'Widget' }, versions: [{ name: 'v1', schema: { openAPIV3Schema: schema } }] } } as KubernetesObject;
}

function validator(spec: Schema): CelValidator {
  const found = celValidators([crd(spec)]).get('Widget/v1');
  if (found === undefined) throw new Error('no validator for Widget/v1');
  return found;
}

function widget(spec: Record<string, unknown>, name = 'one'): KubernetesObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec } as KubernetesObject;
}

function withRules(schema: Schema, ...rules: ValidationRule[]): Schema {
  return { ...schema, 'x-kubernetes-validations': rules };
}

const string: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };

describe('Helper: CEL validation with Kubernetes semantics', () => {
  describe('Method: validate', () => {
    it('returns has() false for an absent or null field and skips rules on an absent node', () => {
      // Prepare
      const spec = withRules({ type: 'object', properties: { a: string, b: withRules(string, { rule: 'false', message: 'never' }) } }, { rule: '!has(self.a)', message: 'a is set' });

      // Act
      const found = [validator(spec).validate(widget({})), validator(spec).validate(widget({ a: null })), validator(spec).validate(widget({ a: 'x' }))];

      // Assess
      expect(found.map((violations) => violations.map((violation) => violation.message))).toEqual([[], [], ['a is set']]);
    });

    it('returns transition rule violations only on an update with an old value', () => {
      // Prepare
      const spec: Schema = { type: 'object', properties: { size: withRules(integer, { rule: 'self >= oldSelf', message: 'shrunk' }) } };
      const checker = validator(spec);

      // Act
      const found = [
        checker.validate(widget({ size: 1 })),
        checker.validate(widget({ size: 1 }), widget({})),
        checker.validate(widget({ size: 1 }), widget({ size: 2 })),
        checker.validate(widget({ size: 3 }), widget({ size: 2 })),
      ];

      // Assess
      expect(found.map((violations) => violations.length)).toEqual([0, 0, 1, 0]);
    });

    it('returns violations of map-list items paired with the old item of the same key', () => {
      // Prepare
      const item = withRules({ type: 'object', properties: { name: string, size: integer } }, { rule: 'self.size >= oldSelf.size', message: 'shrunk' });
      const spec: Schema = { type: 'object', properties: { parts: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: item } } };
      const old = widget({ parts: [{ name: 'a', size: 5 }, { name: 'b', size: 1 }] });

      // Act
      const found = validator(spec).validate(widget({ parts: [{ name: 'b', size: 2 }, { name: 'a', size: 4 }, { name: 'c', size: 0 }] }), old);

      // Assess
      expect(found).toEqual([{ rule: 'Widget/v1:spec.parts[*]#0', field: 'spec.parts[1]', message: 'shrunk', reason: 'FieldValueInvalid' }]);
    });

    it('returns the messageExpression, else the message, else the rule, with fieldPath and reason', () => {
      // Prepare
      const spec = withRules(
        { type: 'object', properties: { name: string, size: integer } },
        { rule: 'self.size < 3', messageExpression: "'size ' + string(self.size) + ' of ' + self.name + ' is too big'", fieldPath: '.size', reason: 'FieldValueForbidden' },
        { rule: 'self.size < 2', message: 'static', messageExpression: "' '" },
        { rule: 'self.size < 1' },
      );

      // Act
      const found = validator(spec).validate(widget({ name: 'w', size: 5 }));

      // Assess
      expect(found).toEqual([
        { rule: 'Widget/v1:spec#0', field: 'spec.size', message: 'size 5 of w is too big', reason: 'FieldValueForbidden' },
        { rule: 'Widget/v1:spec#1', field: 'spec', message: 'static', reason: 'FieldValueInvalid' },
        { rule: 'Widget/v1:spec#2', field: 'spec', message: 'failed rule: self.size < 1', reason: 'FieldValueInvalid' },
      ]);
    });

    it('returns values typed from the schema: int, double, timestamp, duration, escaped names, strings extension', () => {
      // Prepare
      const spec = withRules(
        {
          type: 'object',
          properties: { count: integer, ratio: { type: 'number' }, at: { type: 'string', format: 'date-time' }, wait: { type: 'string', format: 'duration' }, 'dry-run': { type: 'boolean' }, label: string },
        },
        { rule: "self.count == 2 && self.ratio > 0.5 && self.at < timestamp('2030-01-01T00:00:00Z') && self.wait > duration('1m') && self.dry__dash__run && self.label.lowerAscii() == 'shop'" },
      );

      // Act
      const passing = validator(spec).validate(widget({ count: 2, ratio: 0.75, at: '2025-03-01T12:00:00Z', wait: '90s', 'dry-run': true, label: 'SHOP' }));
      const failing = validator(spec).validate(widget({ count: 2, ratio: 0.75, at: '2031-03-01T12:00:00Z', wait: '90s', 'dry-run': true, label: 'SHOP' }));

      // Assess
      expect(passing).toEqual([]);
      expect(failing.map((violation) => violation.rule)).toEqual(['Widget/v1:spec#0']);
    });

    it('returns an evaluation error as a violation', () => {
      // Prepare
      const spec = withRules({ type: 'object', properties: { a: { type: 'object', properties: { b: string } } } }, { rule: "self.a.b == 'x'", message: 'not x' });

      // Act
      const found = validator(spec).validate(widget({}));

      // Assess
      expect(found).toEqual([{ rule: 'Widget/v1:spec#0', field: 'spec', message: expect.stringMatching(/^evaluation error: /), reason: 'FieldValueInvalid' }]);
    });
  });

  describe('Method: compile', () => {
    it.each([
      ['a misspelt field', 'has(self.nmae)', "Widget/v1:spec#0: undefined field 'nmae'"],
      ['an unknown variable', 'slef.name == "x"', "Widget/v1:spec#0: undeclared reference to 'slef'"],
      ['a field of a string', 'self.name.first == "x"', "Widget/v1:spec#0: type 'string' does not support field selection ('first')"],
      ['a function the helper lacks', 'self.tags.isSorted()', "Widget/v1:spec#0: undeclared function 'isSorted'"],
      ['a syntax error', 'self.name ==', 'Widget/v1:spec#0: syntax error'],
      ['a misspelt field in a macro', 'self.parts.all(p, p.sise > 0)', "Widget/v1:spec#0: undefined field 'sise'"],
    ])('throws naming the rule for %s', (_label, rule, message) => {
      // Prepare
      const parts: Schema = { type: 'array', items: { type: 'object', properties: { size: integer } } };
      const spec = withRules({ type: 'object', properties: { name: string, tags: { type: 'array', items: string }, parts } }, { rule, message: 'm' });

      // Act
      const compile = () => validator(spec);

      // Assess
      expect(compile).toThrow(CelRuleCompileError);
      expect(compile).toThrow(message);
    });

    it('throws for oldSelf under a list whose items cannot be paired, and for optionalOldSelf', () => {
      // Prepare
      const atomic: Schema = { type: 'array', items: withRules(integer, { rule: 'self >= oldSelf', message: 'm' }) };
      const optional = withRules({ type: 'object', properties: {} }, { rule: 'true', optionalOldSelf: true, message: 'm' });

      // Act
      const compile = () => validator({ type: 'object', properties: { atomic, optional } });

      // Assess
      expect(compile).toThrow('Widget/v1:spec.atomic[*]#0: oldSelf where old and new values cannot be paired');
      expect(compile).toThrow('Widget/v1:spec.optional#0: optionalOldSelf is not supported');
    });

    it('returns only metadata.name and generateName to a rule on the root', () => {
      // Prepare
      const rooted = (rule: string) => {
        const definition = crd({ type: 'object' });
        const schema = (definition as unknown as { spec: { versions: Array<{ schema: { openAPIV3Schema: Schema } }> } }).spec.versions[0]?.schema.openAPIV3Schema;
        if (schema) schema['x-kubernetes-validations'] = [{ rule, message: 'm' }];
        return () => celValidators([definition]).get('Widget/v1')?.validate(widget({}, 'ok'));
      };

      // Act
      const named = rooted("self.metadata.name == 'ok'");
      const labelled = rooted('has(self.metadata.labels)');

      // Assess
      expect(named()).toEqual([]);
      expect(labelled).toThrow("Widget/v1:<root>#0: undefined field 'labels'");
    });
  });
});
