import { ConfigError } from "./errors";
import type { FeedbackConfig, ReceiverEntry, WatchConfig } from "./schema";

const checkReceiverNames = (receivers: ReadonlyArray<ReceiverEntry>): void => {
  const seen = new Map<string, number>();
  receivers.forEach((receiver, index) => {
    if (seen.has(receiver.name)) {
      throw new ConfigError(`receivers[${index}].name`, `duplicate receiver name "${receiver.name}"`);
    }
    seen.set(receiver.name, index);
  });
};

const resourceName = (w: WatchConfig): string => (w.group ? `${w.resource}.${w.group}` : w.resource);

// Whitespace is not significant in a label selector ("a=b, c=d" is "a=b,c=d").
const selectorOf = (w: WatchConfig): string => (w.labelSelector ?? "").replace(/\s+/g, "");

/** Where two entries' namespace lists meet; none listed means every namespace. */
const sharedScope = (a: WatchConfig, b: WatchConfig): string | undefined => {
  if (a.namespaces.length === 0 && b.namespaces.length === 0) return "all namespaces";
  if (a.namespaces.length === 0) return `namespace ${b.namespaces[0]}`;
  if (b.namespaces.length === 0) return `namespace ${a.namespaces[0]}`;
  const common = a.namespaces.find((namespace) => b.namespaces.includes(namespace));
  return common === undefined ? undefined : `namespace ${common}`;
};

/**
 * Two entries for the same group and resource whose namespaces meet watch the
 * same objects twice: every event is sent twice. The version does not tell
 * them apart (the API server serves one object at every version of its
 * group). Two different label selectors may select disjoint objects, which
 * cannot be decided here, so they are allowed; an entry without a selector
 * covers any other.
 */
const describeDuplicate = (entry: WatchConfig, earlier: WatchConfig, earlierIndex: number): string => {
  const scope = sharedScope(entry, earlier) ?? "the same namespaces";
  const [mine, theirs] = [selectorOf(entry), selectorOf(earlier)];
  const notes = [
    entry.version === earlier.version ? "" : ` (versions ${earlier.version} and ${entry.version} serve the same objects)`,
    mine === theirs ? "" : "; an entry without a labelSelector covers every selector",
  ].join("");
  return `duplicate of watch[${earlierIndex}]: both watch ${resourceName(entry)} in ${scope}${notes}`;
};

const ALL = "*";
const setFirst = <K>(map: Map<K, number>, key: K, index: number): void => void (map.has(key) || map.set(key, index));
const earliest = (indices: ReadonlyArray<number | undefined>): number | undefined =>
  indices.reduce<number | undefined>((min, i) => (i !== undefined && (min === undefined || i < min) ? i : min), undefined);

/**
 * The earliest entries of one group and resource, by namespace ("*" for all)
 * and selector, so that a generated list of thousands of entries is checked
 * in linear time rather than pair by pair.
 */
class ResourceWatches {
  #first: number | undefined;
  readonly #bySelector = new Map<string, number>();
  readonly #byScope = new Map<string, number>();
  readonly #byScopeSelector = new Map<string, Map<string, number>>();

  /** The earliest entry that would watch some of the same objects as `entry`. */
  overlapping(entry: WatchConfig): number | undefined {
    const selector = selectorOf(entry);
    const scopes = entry.namespaces.length === 0 ? undefined : [...entry.namespaces, ALL];
    if (!scopes) return selector === "" ? this.#first : earliest([this.#bySelector.get(selector), this.#bySelector.get("")]);
    return earliest(
      scopes.map((scope) => {
        if (selector === "") return this.#byScope.get(scope);
        const bySelector = this.#byScopeSelector.get(scope);
        return earliest([bySelector?.get(selector), bySelector?.get("")]);
      }),
    );
  }

  add(entry: WatchConfig, index: number): void {
    const selector = selectorOf(entry);
    this.#first ??= index;
    setFirst(this.#bySelector, selector, index);
    for (const scope of entry.namespaces.length === 0 ? [ALL] : entry.namespaces) {
      setFirst(this.#byScope, scope, index);
      const bySelector = this.#byScopeSelector.get(scope) ?? new Map<string, number>();
      setFirst(bySelector, selector, index);
      this.#byScopeSelector.set(scope, bySelector);
    }
  }
}

const checkWatches = (watch: ReadonlyArray<WatchConfig>): void => {
  const byResource = new Map<string, ResourceWatches>();
  watch.forEach((entry, index) => {
    const listed = new Map<string, number>();
    entry.namespaces.forEach((namespace, n) => {
      const first = listed.get(namespace);
      if (first !== undefined) {
        throw new ConfigError(`watch[${index}].namespaces[${n}]`, `duplicate of namespaces[${first}] ("${namespace}")`);
      }
      listed.set(namespace, n);
    });
    const key = `${entry.group}/${entry.resource}`;
    const resource = byResource.get(key) ?? new ResourceWatches();
    const j = resource.overlapping(entry);
    if (j !== undefined) throw new ConfigError(`watch[${index}]`, describeDuplicate(entry, watch[j]!, j));
    resource.add(entry, index);
    byResource.set(key, resource);
  });
};

/** What no single entry's schema can see: names and watches repeated across entries. */
export const checkUnique = (config: FeedbackConfig): void => {
  checkWatches(config.watch);
  checkReceiverNames(config.receivers);
};
