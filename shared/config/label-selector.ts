/**
 * Equality- and set-based label selectors (`a=b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`), as `kubectl` accepts them. client-node only
 * passes selectors through to the API server and has no matcher of its own,
 * so the few lines are written here.
 */
type Requirement = (labels: Record<string, string>) => boolean;

const splitTerms = (selector: string): string[] => {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) terms.push(current.trim());
  return terms.filter(Boolean);
};

/** A label key as Kubernetes allows it: an optional DNS prefix and a name. */
const KEY = "[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?";
const VALUE = "(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?";

const parseTerm = (term: string): Requirement => {
  let m = new RegExp(`^(${KEY})\\s*(==|!=|=)\\s*(${VALUE})$`).exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`).exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = new Set(list.split(",").map((v) => v.trim()));
    return op === "in" ? (l) => l[key] !== undefined && values.has(l[key]) : (l) => l[key] === undefined || !values.has(l[key]);
  }
  if (new RegExp(`^!${KEY}$`).test(term)) return (l) => l[term.slice(1)] === undefined;
  if (new RegExp(`^${KEY}$`).test(term)) return (l) => l[term] !== undefined;
  throw new Error(`invalid label selector term "${term}"`);
};

export const parseLabelSelector = (selector: string | undefined): Requirement => {
  const requirements = splitTerms(selector ?? "").map(parseTerm);
  return (labels) => requirements.every((r) => r(labels));
};

export interface Selectable {
  kind: string;
  namespace: string;
  labels: Record<string, string>;
}

/** The fields of a receiver's `selector`; written out so this file needs nothing from the schema that imports it. */
export interface SelectorFields {
  readonly namespaces: readonly string[];
  readonly kinds: readonly string[];
  readonly labelSelector?: string | undefined;
}

/** Whether a run is one a receiver hears about. */
export type RunMatcher = (run: Selectable) => boolean;

/**
 * Compiles a receiver's selector once, when its receiver is created: the
 * label selector is parsed there and not again for every event and receiver.
 * The schema has already rejected a malformed selector with its key path.
 */
export const compileSelector = (selector: SelectorFields): RunMatcher => {
  const labels = parseLabelSelector(selector.labelSelector);
  const namespaces = new Set(selector.namespaces);
  const kinds = new Set(selector.kinds);
  return (run) =>
    (namespaces.size === 0 || namespaces.has(run.namespace)) && (kinds.size === 0 || kinds.has(run.kind)) && labels(run.labels);
};
