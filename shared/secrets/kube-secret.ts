import type { KubeConfig } from "@kubernetes/client-node";
import { apiErrorCode, kubeConfigProvider, loadClientNode } from "../kube";

/** How a `k8s:` reference reaches the API server: a function yielding a ready KubeConfig. */
export type SecretsKube = () => Promise<KubeConfig>;

/** The secret is not there (404): resolveSecret reports it as not found, not as unavailable. */
export class KubeSecretNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeSecretNotFound";
  }
}

/**
 * The process's own Kubernetes access, built on first use: in a pod its
 * service account, elsewhere KUBECONFIG or ~/.kube/config. `kube-feedback run`
 * reads its secrets with the same access it watches and writes back with.
 */
let defaultKube: SecretsKube | undefined;
const processKube = (): SecretsKube => (defaultKube ??= kubeConfigProvider({ kind: "default" }));

interface Cached {
  value: string;
  expires: number;
}

/**
 * Values read, by reference, kept for `maxAge` as Powertools keeps SSM and
 * Secrets Manager values. A missing Secret or key is not kept: adding it
 * must not wait for the cache.
 */
const cache = new Map<string, Cached>();

export interface KubeSecretRef {
  namespace: string;
  name: string;
  key: string;
}

/**
 * One key of a Secret through `GET /api/v1/namespaces/{namespace}/secrets/{name}`
 * (CoreV1Api readNamespacedSecret): the value decoded from the base64 of
 * `data` (core/v1 Secret: "The serialized form of the data field is a
 * base64 encoded string"); undefined when the Secret has no such key. The
 * access needs `get` on that Secret, nothing else: no list, no watch.
 */
export const readKubeSecret = async (ref: KubeSecretRef, maxAgeSeconds: number, kube?: SecretsKube, now = Date.now()): Promise<string | undefined> => {
  const id = `${ref.namespace}/${ref.name}#${ref.key}`;
  const hit = cache.get(id);
  if (hit && hit.expires > now) return hit.value;
  const { CoreV1Api } = await loadClientNode();
  const api = (await (kube ?? processKube())()).makeApiClient(CoreV1Api);
  let data: Record<string, string> | undefined;
  try {
    ({ data } = await api.readNamespacedSecret({ namespace: ref.namespace, name: ref.name }));
  } catch (error) {
    if (apiErrorCode(error) === 404) throw new KubeSecretNotFound(`Secret ${ref.namespace}/${ref.name} not found`);
    // client-node's ApiException carries the whole response body: the code says enough.
    const code = apiErrorCode(error);
    throw new Error(code === undefined ? (error as Error).message : `the API server answered ${code}${code === 403 ? " (forbidden: RBAC must grant get on this Secret)" : ""}`, { cause: error });
  }
  const encoded = data?.[ref.key];
  if (encoded === undefined) return undefined;
  const value = Buffer.from(encoded, "base64").toString("utf8");
  cache.set(id, { value, expires: now + maxAgeSeconds * 1000 });
  return value;
};
