import { ApiException, type CoreV1Api, type V1ConfigMap } from "@kubernetes/client-node";

/** Where a relay keeps its known-object snapshot between processes. */
export interface KnownStore {
  /** `namespace/name`, for logs. */
  readonly description: string;
  /** The last snapshot saved, or undefined when there is none yet. */
  load(): Promise<Buffer | undefined>;
  save(payload: Buffer, entries: number): Promise<void>;
}

/** The key of the gzip'd snapshot in the ConfigMap's binaryData. */
export const SNAPSHOT_KEY = "known.json.gz";

/**
 * The API server refuses a ConfigMap over 1 MiB (data and binaryData
 * together); the snapshot keeps well below, leaving room for metadata.
 */
export const CONFIGMAP_SNAPSHOT_LIMIT = 900 * 1024;

const codeOf = (error: unknown): number | undefined => (error instanceof ApiException ? error.code : undefined);

/**
 * Keeps the snapshot in one ConfigMap in the relay's own namespace, beside
 * its Lease. Why a ConfigMap: whichever replica leads next must read what
 * the last leader wrote, so it cannot be a pod's disk (the root filesystem
 * is read-only, and a ReadWriteOnce volume would pin both replicas to one
 * node); the relay already talks to the API server and nothing else; and
 * RBAC can limit the relay to this one ConfigMap by name.
 *
 * Only the leader writes. A write carries the resourceVersion last read or
 * written; a 409 means another process wrote since (a previous leader
 * saving on its way out), and the current leader, which knows more
 * recent state, reads the new version and writes over it.
 */
export class ConfigMapKnownStore implements KnownStore {
  readonly #api: CoreV1Api;
  readonly namespace: string;
  readonly name: string;
  #resourceVersion: string | undefined;

  constructor(api: CoreV1Api, namespace: string, name: string) {
    if (!namespace) throw new Error("known-object store: namespace cannot be empty");
    if (!name) throw new Error("known-object store: ConfigMap name cannot be empty");
    this.#api = api;
    this.namespace = namespace;
    this.name = name;
  }

  get description(): string {
    return `${this.namespace}/${this.name}`;
  }

  async load(): Promise<Buffer | undefined> {
    const current = await this.#read();
    this.#resourceVersion = current?.metadata?.resourceVersion;
    const encoded = current?.binaryData?.[SNAPSHOT_KEY];
    return encoded ? Buffer.from(encoded, "base64") : undefined;
  }

  async save(payload: Buffer, entries: number): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const body: V1ConfigMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: this.name,
          namespace: this.namespace,
          labels: { "app.kubernetes.io/name": "kube-feedback-relay", "app.kubernetes.io/component": "known-objects" },
          ...(this.#resourceVersion ? { resourceVersion: this.#resourceVersion } : {}),
        },
        // The count is for a human with kubectl: the snapshot itself is gzip.
        data: { entries: String(entries) },
        binaryData: { [SNAPSHOT_KEY]: payload.toString("base64") },
      };
      try {
        const written = this.#resourceVersion
          ? await this.#api.replaceNamespacedConfigMap({ name: this.name, namespace: this.namespace, body })
          : await this.#api.createNamespacedConfigMap({ namespace: this.namespace, body });
        this.#resourceVersion = written.metadata?.resourceVersion;
        return;
      } catch (error) {
        const code = codeOf(error);
        // 409: written by someone else since (or created meanwhile); 404: deleted by hand. Either way, start from what is there.
        if (attempt > 0 || (code !== 409 && code !== 404)) throw error;
        this.#resourceVersion = (await this.#read())?.metadata?.resourceVersion;
      }
    }
  }

  async #read(): Promise<V1ConfigMap | undefined> {
    try {
      return await this.#api.readNamespacedConfigMap({ name: this.name, namespace: this.namespace });
    } catch (error) {
      if (codeOf(error) === 404) return undefined;
      throw error;
    }
  }
}
