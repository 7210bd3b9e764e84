import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "../envelope";
import { WriteBackConflictError } from "./errors";

export const GROUP = "commit-status.argoproj.io";
export const VERSION = "v1alpha1";

/** What the sync needs from the Kubernetes API: read a GitRepo, merge-patch a CommitStatus's status. */
export interface CommitStatusApi {
  getGitRepo(namespace: string, name: string): Promise<{ spec?: unknown; metadata?: { resourceVersion?: string } } | undefined>;
  patchStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void>;
  /** One page of a namespace's CommitStatuses (`continue` from the previous page). */
  listCommitStatuses(namespace: string, page: { limit: number; continue?: string }): Promise<CommitStatusPage>;
}

export interface CommitStatusPage {
  items: Array<KubeObject & { spec?: { gitRepoRef?: { name?: string } } }>;
  continue?: string;
}

const code = (error: unknown): number | undefined => (error instanceof ApiException ? error.code : undefined);

/**
 * Through the real client: a GET of the GitRepo and a JSON merge patch of the
 * `status` subresource — the only two permissions infra/rbac grants besides
 * watching.
 */
export class KubeCommitStatusApi implements CommitStatusApi {
  readonly #kc: () => Promise<KubeConfig>;

  constructor(kc: () => Promise<KubeConfig>) {
    this.#kc = kc;
  }

  async getGitRepo(namespace: string, name: string) {
    const api = (await this.#kc()).makeApiClient(CustomObjectsApi);
    try {
      return (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: "gitrepos", name })) as {
        spec?: unknown;
      };
    } catch (error) {
      if (code(error) === 404) return undefined;
      throw error;
    }
  }

  async listCommitStatuses(namespace: string, page: { limit: number; continue?: string }): Promise<CommitStatusPage> {
    const api = (await this.#kc()).makeApiClient(CustomObjectsApi);
    const list = (await api.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: "commitstatuses",
      limit: page.limit,
      ...(page.continue ? { _continue: page.continue } : {}),
    })) as { items?: CommitStatusPage["items"]; metadata?: { continue?: string } };
    // A list's items carry no apiVersion and kind.
    const items = (list.items ?? []).map((item) => ({ ...item, apiVersion: `${GROUP}/${VERSION}`, kind: "CommitStatus" }));
    return { items, ...(list.metadata?.continue ? { continue: list.metadata.continue } : {}) };
  }

  async patchStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    const api = (await this.#kc()).makeApiClient(CustomObjectsApi);
    try {
      await api.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace, plural: "commitstatuses", name, body: { status } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (error) {
      if (code(error) === 409) throw new WriteBackConflictError(`${namespace}/${name}`, { cause: error });
      throw error;
    }
  }
}
