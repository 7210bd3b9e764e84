import type { KubeObject } from "../envelope";
import { StoreKey, storedAfterConflict, VersionConflictError, type StateStore, type StoredItem } from "../store";

/** One GitRepo as the process side knows it from its relay's events. */
export interface GitRepoItem {
  /** The spec of the last event: present once the relay sent it. */
  spec?: unknown;
  uid?: string;
  resourceVersion?: string;
  /** The relay sent it DELETED. */
  deleted?: boolean;
  /** Epoch ms of the last ask for it (a resendGitRepo operation) while it was not known. */
  askedAt?: number;
}

/** What the cache knows of one GitRepo. */
export type GitRepoLookup =
  | { kind: "known"; spec: unknown; resourceVersion?: string }
  | { kind: "deleted" }
  | { kind: "unknown"; askedAt?: number; version?: number };

const WRITE_ATTEMPTS = 3;

/**
 * GitRepos of one cluster reached `via: relay`, kept in the state table
 * (`StoreKey.gitRepo`) from the GitRepo events the relay sends, because the
 * process side cannot read them from the API server. The last event wins;
 * each GitRepo's events arrive in order (their FIFO group is its uid).
 */
export class GitRepoCache {
  readonly #store: StateStore;
  readonly #cluster: string;
  readonly #ttlSeconds: number;

  constructor(options: { store: StateStore; cluster: string; ttlSeconds: number }) {
    this.#store = options.store;
    this.#cluster = options.cluster;
    this.#ttlSeconds = options.ttlSeconds;
  }

  async lookup(namespace: string, name: string): Promise<GitRepoLookup> {
    const item = await this.#store.get<GitRepoItem>(StoreKey.gitRepo(this.#cluster, namespace, name));
    return lookupOf(item);
  }

  /** Remembers the GitRepo an ADDED, MODIFIED or RESYNC event carried. */
  remember(gitRepo: KubeObject): Promise<void> {
    const { uid, resourceVersion } = gitRepo.metadata;
    return this.#write(gitRepo, () => ({ spec: gitRepo.spec ?? {}, uid, ...(resourceVersion ? { resourceVersion } : {}) }));
  }

  /** Remembers that the relay saw it deleted: a CommitStatus naming it is then blocked at once, with no ask. */
  forget(gitRepo: KubeObject): Promise<void> {
    return this.#write(gitRepo, () => ({ deleted: true, uid: gitRepo.metadata.uid }));
  }

  /**
   * Records an ask for a GitRepo not known yet, against the version just
   * read: false when something else wrote it meanwhile (its event came in).
   */
  async recordAsk(namespace: string, name: string, version: number | undefined, askedAt: number): Promise<boolean> {
    try {
      await this.#store.put<GitRepoItem>(StoreKey.gitRepo(this.#cluster, namespace, name), { askedAt }, version, this.#ttlSeconds);
      return true;
    } catch (error) {
      if (error instanceof VersionConflictError) return false;
      throw error;
    }
  }

  /** An event's write replaces whatever is stored: read the version, put, and on a lost race put again. */
  async #write(gitRepo: KubeObject, data: () => GitRepoItem): Promise<void> {
    const key = StoreKey.gitRepo(this.#cluster, gitRepo.metadata.namespace ?? "default", gitRepo.metadata.name);
    let stored = await this.#store.get<GitRepoItem>(key);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.put<GitRepoItem>(key, data(), stored?.version, this.#ttlSeconds);
        return;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= WRITE_ATTEMPTS) throw error;
        stored = await storedAfterConflict<GitRepoItem>(this.#store, error);
      }
    }
  }
}

const lookupOf = (item: StoredItem<GitRepoItem> | undefined): GitRepoLookup => {
  if (item?.data.spec !== undefined) {
    return { kind: "known", spec: item.data.spec, ...(item.data.resourceVersion ? { resourceVersion: item.data.resourceVersion } : {}) };
  }
  if (item?.data.deleted) return { kind: "deleted" };
  return { kind: "unknown", ...(item?.data.askedAt === undefined ? {} : { askedAt: item.data.askedAt }), ...(item ? { version: item.version } : {}) };
};
