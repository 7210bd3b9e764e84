import type { CommitStatusPage, DirectCommitStatusApi } from "../../shared/commitstatus";
import type { KubeObject } from "../../shared/envelope";

/**
 * The Kubernetes side of the CommitStatus sync in memory: GitRepos by
 * namespace and name, CommitStatuses to list, and every call recorded.
 */
export class MemoryCommitStatusApi implements DirectCommitStatusApi {
  readonly gitRepos = new Map<string, { spec: unknown }>();
  readonly commitStatuses: CommitStatusPage["items"] = [];
  readonly gitRepoReads: string[] = [];
  readonly patches: Array<{ namespace: string; name: string; status: Record<string, unknown> }> = [];

  /** Adds (or replaces) the GitRepo `namespace/name`. */
  withGitRepo(namespace: string, name: string, spec: unknown): this {
    this.gitRepos.set(`${namespace}/${name}`, { spec: structuredClone(spec) });
    return this;
  }

  async getGitRepo(namespace: string, name: string) {
    this.gitRepoReads.push(`${namespace}/${name}`);
    const found = this.gitRepos.get(`${namespace}/${name}`);
    return found ? { spec: structuredClone(found.spec) } : undefined;
  }

  async patchStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    this.patches.push({ namespace, name, status: structuredClone(status) });
  }

  async listCommitStatuses(namespace: string, page: { limit: number; continue?: string }): Promise<CommitStatusPage> {
    const items = this.commitStatuses.filter((item: KubeObject) => item.metadata.namespace === namespace);
    const start = Number(page.continue ?? 0);
    const end = start + page.limit;
    return { items: items.slice(start, end), ...(end < items.length ? { continue: String(end) } : {}) };
  }
}
