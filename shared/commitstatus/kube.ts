import type { KubeConfig } from "@kubernetes/client-node";
import { apiErrorCode, loadClientNode } from "../kube/client-node";
import type { KubeObject } from "../envelope";
import { WriteBackConflictError } from "./errors";

export const GROUP = "commit-status.argoproj.io";
export const VERSION = "v1alpha1";

/** The CommitStatus a status patch is for: its uid tells it from one re-created under the same name. */
export interface CommitStatusTarget {
  uid: string;
  generation?: number;
}

/** What the sync needs from a cluster: read a GitRepo, merge-patch a CommitStatus's status. */
interface CommitStatusAccess {
  getGitRepo(namespace: string, name: string): Promise<{ spec?: unknown; metadata?: { resourceVersion?: string } } | undefined>;
  patchStatus(namespace: string, name: string, status: Record<string, unknown>, target?: CommitStatusTarget): Promise<void>;
}

/** Through the cluster's API server (`kubernetes.via: direct`, the default). */
export interface DirectCommitStatusApi extends CommitStatusAccess {
  readonly via?: "direct";
  /** One page of a namespace's CommitStatuses (`continue` from the previous page). */
  listCommitStatuses(namespace: string, page: { limit: number; continue?: string }): Promise<CommitStatusPage>;
}

/**
 * Through the cluster's relay (`kubernetes.via: relay`): nothing is listed
 * here. CommitStatuses to re-sync are asked for and come back as RESYNC
 * envelopes that take the normal path; GitRepos are read from the events
 * the relay sent, which the GitRepo handler remembers.
 */
export interface RelayedCommitStatusApi extends CommitStatusAccess {
  readonly via: "relay";
  /** Asks the relay to send the CommitStatuses of `namespace` (every watched one when undefined), of `gitRepo` only when given. */
  relist(namespace?: string, gitRepo?: string): Promise<void>;
  rememberGitRepo(gitRepo: KubeObject): Promise<void>;
  forgetGitRepo(gitRepo: KubeObject): Promise<void>;
}

export type CommitStatusApi = DirectCommitStatusApi | RelayedCommitStatusApi;

export interface CommitStatusPage {
  items: Array<KubeObject & { spec?: { gitRepoRef?: { name?: string } } }>;
  continue?: string;
}

/**
 * Through the real client: a GET of the GitRepo and a JSON merge patch of the
 * `status` subresource — the only two permissions infra/rbac grants besides
 * watching.
 */
export class KubeCommitStatusApi implements DirectCommitStatusApi {
  readonly via = "direct";
  readonly #kc: () => Promise<KubeConfig>;

  constructor(kc: () => Promise<KubeConfig>) {
    this.#kc = kc;
  }

  async getGitRepo(namespace: string, name: string) {
    const { CustomObjectsApi } = await loadClientNode();
    const api = (await this.#kc()).makeApiClient(CustomObjectsApi);
    try {
      return (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: "gitrepos", name })) as {
        spec?: unknown;
      };
    } catch (error) {
      if (apiErrorCode(error) === 404) return undefined;
      throw error;
    }
  }

  async listCommitStatuses(namespace: string, page: { limit: number; continue?: string }): Promise<CommitStatusPage> {
    const { CustomObjectsApi } = await loadClientNode();
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
    const { CustomObjectsApi, PatchStrategy, setHeaderOptions } = await loadClientNode();
    const api = (await this.#kc()).makeApiClient(CustomObjectsApi);
    try {
      await api.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace, plural: "commitstatuses", name, body: { status } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (error) {
      if (apiErrorCode(error) === 409) throw new WriteBackConflictError(`${namespace}/${name}`, { cause: error });
      throw error;
    }
  }
}
