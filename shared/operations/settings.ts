import { z } from "zod";
import { ConfigError } from "../config";
import { OperationsQueueMissingError } from "./errors";

/** Settings of the operations queues, read from the functions' environment like QUEUE_URL. */
export const OperationsSetting = {
  /** The operations queue of the config's own cluster. */
  Own: "OPERATIONS_QUEUE_URL",
  /** JSON `{"<cluster>": "<queue URL>"}` for the other clusters reached through their relay. */
  Others: "OPERATIONS_QUEUE_URLS",
} as const;

const UrlsSchema = z.record(z.string(), z.url());

/**
 * The operations queue URL per cluster. Each cluster has its own queue: a
 * relay receives only its own cluster's operations, so no relay ever holds
 * (or deletes) another cluster's. A malformed OPERATIONS_QUEUE_URLS is a
 * setting error at the cold start; a cluster without a queue fails only
 * that cluster's sync, naming the setting.
 */
export const operationsQueueUrls = (ownCluster: string, env: Record<string, string | undefined> = process.env): ((cluster: string) => string) => {
  const urls = new Map<string, string>();
  const others = env[OperationsSetting.Others];
  if (others) {
    let value: unknown;
    try {
      value = JSON.parse(others);
    } catch {
      throw new ConfigError(OperationsSetting.Others, 'is not JSON: expected {"<cluster>": "<queue URL>"}');
    }
    const parsed = UrlsSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`${OperationsSetting.Others}${issue?.path.length ? `.${issue.path.join(".")}` : ""}`, issue?.message ?? "is invalid");
    }
    for (const [cluster, url] of Object.entries(parsed.data)) urls.set(cluster, url);
  }
  const own = env[OperationsSetting.Own];
  if (own) urls.set(ownCluster, own);
  return (cluster) => {
    const url = urls.get(cluster);
    if (!url) throw new OperationsQueueMissingError(cluster, cluster === ownCluster ? OperationsSetting.Own : `${OperationsSetting.Others} ({"${cluster}": "…"})`);
    return url;
  };
};
