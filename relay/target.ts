import type { WatchConfig } from "../shared/config";
import { UnsupportedWatchError } from "./errors";

/** One collection to list and watch: a kind in one namespace, or across all of them. */
export interface WatchTarget {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  labelSelector?: string;
}

/** One target per configured namespace, or one cluster-wide target when none is listed. */
export const watchTargets = (watch: readonly WatchConfig[]): WatchTarget[] =>
  watch.flatMap((w) => {
    const base = { group: w.group, version: w.version, plural: w.resource, ...(w.labelSelector ? { labelSelector: w.labelSelector } : {}) };
    return w.namespaces.length === 0 ? [base] : w.namespaces.map((namespace) => ({ ...base, namespace }));
  });

/** The collection's URL path, as the watch and the list use it. */
export const targetPath = ({ group, version, plural, namespace }: WatchTarget): string => {
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
};

/**
 * Lists go through client-node's CustomObjectsApi, which builds
 * `/apis/{group}/...` paths only; the kinds the relay exists for (Jobs,
 * Tekton, Argo, CommitStatus) all have a group, core kinds such as Pods
 * are not CI objects.
 */
export const assertSupported = (target: WatchTarget): void => {
  if (!target.group) {
    throw new UnsupportedWatchError(`watch of ${targetPath(target)}: core-group kinds are not supported; watch a kind with an API group`);
  }
};

/** `pipelineruns in ci` / `jobs in all namespaces`, for logs and metric labels. */
export const describeTarget = (target: WatchTarget): string =>
  `${target.plural}${target.group ? `.${target.group}` : ""} in ${target.namespace ?? "all namespaces"}`;

/**
 * Names a target in the persisted known-object set: the collection's path
 * plus its label selector, since the same kind watched with another
 * selector is another set of objects.
 */
export const targetKey = (target: WatchTarget): string =>
  target.labelSelector ? `${targetPath(target)}?labelSelector=${target.labelSelector}` : targetPath(target);
