import type { CustomObjectsApi } from "@kubernetes/client-node";
import type { KubeObject } from "../shared/envelope";
import type { WatchTarget } from "./target";

interface ListPage {
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

/**
 * Lists a collection page by page and hands each item over before the next
 * page is fetched, so a cluster with thousands of runs never sits in memory
 * at once. Resolves with the list's resourceVersion, where the watch starts.
 * Built-in kinds list their items without apiVersion and kind; the list's
 * own kind names them.
 */
export const listCollection = async (
  api: CustomObjectsApi,
  target: WatchTarget,
  onItem: (object: KubeObject) => Promise<void>,
  pageSize = 500,
): Promise<{ resourceVersion: string | undefined; count: number }> => {
  const { group, version, plural, namespace, labelSelector } = target;
  const apiVersion = group ? `${group}/${version}` : version;
  let token: string | undefined;
  let resourceVersion: string | undefined;
  let count = 0;
  do {
    const query = { group, version, plural, labelSelector, limit: pageSize, _continue: token };
    const page = (
      namespace ? await api.listNamespacedCustomObject({ ...query, namespace }) : await api.listClusterCustomObject(query)
    ) as ListPage;
    const kind = (page.kind ?? "").replace(/List$/, "");
    for (const item of page.items ?? []) {
      await onItem({ ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind });
      count++;
    }
    // Every page of one list is served from the same snapshot and carries its resourceVersion.
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    token = page.metadata?.continue || undefined;
  } while (token);
  return { resourceVersion, count };
};
