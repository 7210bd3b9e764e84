import { badRequest } from './status.js';
import type { KubeObject } from './types.js';

export type ObjectPredicate = (object: KubeObject) => boolean;

const matchAll: ObjectPredicate = () => true;

/** Splits on commas outside parentheses, so `env in (a,b),tier=web` is two terms. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  terms.push(current.trim());
  return terms.filter((term) => term !== '');
}

type LabelRequirement = (labels: Readonly<Record<string, string>>) => boolean;

const SET_TERM = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/;
const EQUALITY_TERM = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/;
const EXISTS_TERM = /^(!?)([\w./-]+)$/;

function parseLabelTerm(term: string): LabelRequirement {
  const set = SET_TERM.exec(term);
  if (set) {
    const [, key = '', operator, rawValues = ''] = set;
    const values = new Set(rawValues.split(',').map((value) => value.trim()));
    // Kubernetes `notin` also matches objects that lack the label altogether.
    return operator === 'in'
      ? (labels) => key in labels && values.has(labels[key] ?? '')
      : (labels) => !(key in labels) || !values.has(labels[key] ?? '');
  }
  const equality = EQUALITY_TERM.exec(term);
  if (equality) {
    const [, key = '', operator, value = ''] = equality;
    return operator === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const exists = EXISTS_TERM.exec(term);
  if (exists) {
    const [, negated, key = ''] = exists;
    return negated ? (labels) => !(key in labels) : (labels) => key in labels;
  }
  throw badRequest(`unable to parse requirement: "${term}"`);
}

/** Label selector syntax from https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/ */
export function parseLabelSelector(selector: string | undefined): ObjectPredicate {
  if (!selector) return matchAll;
  const requirements = splitTerms(selector).map(parseLabelTerm);
  return (object) => {
    const labels = object.metadata?.labels ?? {};
    return requirements.every((requirement) => requirement(labels));
  };
}

/**
 * Custom resources only support `metadata.name` and `metadata.namespace` as
 * field selectors; anything else is the apiserver's "field label not supported".
 */
const FIELD_READERS: Readonly<Record<string, (object: KubeObject) => string | undefined>> = {
  'metadata.name': (object) => object.metadata?.name,
  'metadata.namespace': (object) => object.metadata?.namespace,
};

export function parseFieldSelector(selector: string | undefined): ObjectPredicate {
  if (!selector) return matchAll;
  const requirements = splitTerms(selector).map((term): ObjectPredicate => {
    const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid field selector: "${term}"`);
    const [, field = '', operator, value = ''] = match;
    const read = FIELD_READERS[field];
    if (!read) throw badRequest(`field label not supported: ${field}`);
    return operator === '!=' ? (object) => read(object) !== value : (object) => read(object) === value;
  });
  return (object) => requirements.every((requirement) => requirement(object));
}

export function parseSelectors(labelSelector: string | undefined, fieldSelector: string | undefined): ObjectPredicate {
  const byLabel = parseLabelSelector(labelSelector);
  const byField = parseFieldSelector(fieldSelector);
  return (object) => byLabel(object) && byField(object);
}
