import type { KubeObject } from "../envelope";
import { makeOperation, OperationKind, type OperationSender } from "../operations";
import { GitRepoPendingError } from "./errors";
import type { GitRepoCache } from "./gitrepo-cache";
import type { CommitStatusTarget, RelayedCommitStatusApi } from "./kube";

export interface RelayCommitStatusApiOptions {
  cluster: string;
  operations: OperationSender;
  gitRepos: GitRepoCache;
  /** How long an ask for a GitRepo waits for the relay's answer before the GitRepo counts as missing. */
  answerWaitMs?: number;
  now?: () => number;
}

export const RELAY_ANSWER_DEFAULTS = {
  /** The relay long-polls its operations: an answer usually comes within a second or two. */
  firstWaitMs: 2_000,
  /**
   * Past this, a GitRepo the relay did not send counts as missing (the
   * relay sends nothing for one that does not exist). Two waits at most, so
   * the waiting message stays far from the queue's maxReceiveCount.
   */
  answerWaitMs: 20_000,
  /** A GitRepo found missing is asked for again after this, in case the relay was only away. */
  askAgainMs: 5 * 60_000,
} as const;

/**
 * The CommitStatus sync's view of a cluster reached `via: relay` (a
 * private API server): nothing here calls Kubernetes. Status patches and
 * requests go to the cluster's operations queue for its relay to apply;
 * GitRepos are read from what the relay sent (GitRepoCache), and one not
 * known yet is asked for while the event waits.
 */
export class RelayCommitStatusApi implements RelayedCommitStatusApi {
  readonly via = "relay";
  readonly #options: RelayCommitStatusApiOptions;
  readonly #now: () => number;
  readonly #answerWaitMs: number;

  constructor(options: RelayCommitStatusApiOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#answerWaitMs = options.answerWaitMs ?? RELAY_ANSWER_DEFAULTS.answerWaitMs;
  }

  async getGitRepo(namespace: string, name: string) {
    const found = await this.#options.gitRepos.lookup(namespace, name);
    if (found.kind === "known") return { spec: found.spec, metadata: found.resourceVersion ? { resourceVersion: found.resourceVersion } : {} };
    if (found.kind === "deleted") return undefined;
    const now = this.#now();
    const askedAt = found.askedAt;
    if (askedAt !== undefined && now - askedAt < this.#answerWaitMs) {
      throw new GitRepoPendingError(`${namespace}/${name}`, askedAt + this.#answerWaitMs, now);
    }
    // Asked long enough ago and still not sent: it does not exist (until asked again).
    if (askedAt !== undefined && now - askedAt < RELAY_ANSWER_DEFAULTS.askAgainMs) return undefined;
    // The ask is sent before it is recorded: a failed send leaves no record that would make the next try give up.
    await this.#options.operations.send(makeOperation(this.#options.cluster, { op: OperationKind.ResendGitRepo, namespace, name }, new Date(now)));
    const recorded = await this.#options.gitRepos.recordAsk(namespace, name, found.version, now);
    if (!recorded) {
      // Its event was stored meanwhile.
      const again = await this.#options.gitRepos.lookup(namespace, name);
      if (again.kind === "known") return { spec: again.spec, metadata: again.resourceVersion ? { resourceVersion: again.resourceVersion } : {} };
      if (again.kind === "deleted") return undefined;
    }
    throw new GitRepoPendingError(`${namespace}/${name}`, now + Math.min(RELAY_ANSWER_DEFAULTS.firstWaitMs, this.#answerWaitMs), now);
  }

  async patchStatus(namespace: string, name: string, status: Record<string, unknown>, target?: CommitStatusTarget): Promise<void> {
    // Without the uid the relay could patch a resource re-created under the same name.
    if (!target) throw new TypeError(`patchStatus ${namespace}/${name} through the relay needs the CommitStatus's uid`);
    await this.#options.operations.send(
      makeOperation(this.#options.cluster, {
        op: OperationKind.PatchStatus,
        namespace,
        name,
        uid: target.uid,
        ...(target.generation === undefined ? {} : { generation: target.generation }),
        status,
      }, new Date(this.#now())),
    );
  }

  async relist(namespace?: string, gitRepo?: string): Promise<void> {
    await this.#options.operations.send(
      makeOperation(this.#options.cluster, { op: OperationKind.Relist, ...(namespace ? { namespace } : {}), ...(gitRepo ? { gitRepo } : {}) }, new Date(this.#now())),
    );
  }

  rememberGitRepo(gitRepo: KubeObject): Promise<void> {
    return this.#options.gitRepos.remember(gitRepo);
  }

  forgetGitRepo(gitRepo: KubeObject): Promise<void> {
    return this.#options.gitRepos.forget(gitRepo);
  }
}
