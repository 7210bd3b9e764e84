import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import type { EnvelopeType, KubeObject } from "../../shared/envelope";
import {
  OperationKind,
  type Operation,
  type PatchStatusOperation,
  type RelistOperation,
  type ResendGitRepoOperation,
} from "../../shared/operations/operation";
import type { WatchTarget } from "../target";

const GROUP = "commit-status.argoproj.io";
const VERSION = "v1alpha1";
const PAGE = 250;

export const ApplyOutcome = {
  /** Applied, or nothing left to apply it to (the resource is gone or was re-created): deleted from the queue. */
  Done: "done",
  /** Worth another try after a wait: a conflict, a 5xx, a 429, the API server unreachable. */
  Retry: "retry",
  /** RBAC refuses it (401, 403): left on the queue until someone grants it. */
  Forbidden: "forbidden",
  /** The API server refuses it for good (400, 422): deleted, with an error logged. */
  Refused: "refused",
} as const;
export type ApplyOutcome = (typeof ApplyOutcome)[keyof typeof ApplyOutcome];

export interface ApplyResult {
  outcome: ApplyOutcome;
  /** What happened, for the log. */
  detail: string;
}

/** Sends an object as an envelope, waiting for room in the relay's buffer. */
export type Ship = (type: EnvelopeType, object: KubeObject, resend: string) => Promise<void>;

export interface OperationApplierOptions {
  /** What this relay watches: resends and relists never reach beyond it. */
  targets: readonly WatchTarget[];
  ship: Ship;
}

const codeOf = (error: unknown): number | undefined => (error instanceof ApiException ? error.code : undefined);

/** What an API error means for the operation that met it. */
export const resultOfError = (error: unknown, what: string): ApplyResult => {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  if (code === 401 || code === 403) return { outcome: ApplyOutcome.Forbidden, detail: `${what}: ${code} ${code === 403 ? "forbidden" : "unauthorized"}` };
  if (code === 400 || code === 422) return { outcome: ApplyOutcome.Refused, detail: `${what}: ${code} ${message}` };
  return { outcome: ApplyOutcome.Retry, detail: `${what}: ${code ?? "no answer"} ${message}` };
};

const inTarget = (target: WatchTarget, namespace: string | undefined): boolean =>
  target.namespace === undefined || namespace === undefined || target.namespace === namespace;

/**
 * Applies one operation with the relay's own client, in the relay's own
 * cluster: a status merge patch (after checking the resource's uid), or a
 * re-send of watched objects as RESYNC envelopes carrying the operation's
 * id. Never throws: every failure is an outcome.
 */
export class OperationApplier {
  readonly #api: CustomObjectsApi;
  readonly #options: OperationApplierOptions;

  constructor(kc: KubeConfig, options: OperationApplierOptions) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#options = options;
  }

  async apply(operation: Operation, id: string): Promise<ApplyResult> {
    switch (operation.op) {
      case OperationKind.PatchStatus:
        return this.#patchStatus(operation);
      case OperationKind.ResendGitRepo:
        return this.#resendGitRepo(operation, id);
      case OperationKind.Relist:
        return this.#relist(operation, id);
    }
  }

  /**
   * A merge patch of the status subresource ignores `metadata`, so a uid in
   * the patch would not guard anything: the resource is read first, and one
   * re-created under the same name since is left alone.
   */
  async #patchStatus(operation: PatchStatusOperation): Promise<ApplyResult> {
    const { namespace, name, uid, status } = operation;
    const what = `commitstatuses ${namespace}/${name}`;
    const where = { group: GROUP, version: VERSION, namespace, plural: "commitstatuses", name };
    try {
      const current = (await this.#api.getNamespacedCustomObject(where)) as KubeObject;
      if (current.metadata.uid !== uid) return { outcome: ApplyOutcome.Done, detail: `${what} was re-created (uid ${current.metadata.uid}): not patched` };
      await this.#api.patchNamespacedCustomObjectStatus({ ...where, body: { status } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      return { outcome: ApplyOutcome.Done, detail: `${what}/status patched` };
    } catch (error) {
      if (codeOf(error) === 404) return { outcome: ApplyOutcome.Done, detail: `${what} is gone: not patched` };
      return resultOfError(error, what);
    }
  }

  /** Found by a list with a field selector: the relay's RBAC lists what it watches, and the list applies its label selector. */
  async #resendGitRepo(operation: ResendGitRepoOperation, id: string): Promise<ApplyResult> {
    const targets = this.#targets("gitrepos", operation.namespace);
    if (targets.length === 0) return { outcome: ApplyOutcome.Refused, detail: `gitrepos in ${operation.namespace} are not watched by this relay` };
    let sent = 0;
    try {
      for (const target of targets) {
        for await (const item of this.#list("gitrepos", "GitRepo", target, operation.namespace, `metadata.name=${operation.name}`)) {
          await this.#options.ship("RESYNC", item, id);
          sent++;
        }
      }
    } catch (error) {
      return resultOfError(error, `gitrepos ${operation.namespace}/${operation.name}`);
    }
    return { outcome: ApplyOutcome.Done, detail: sent > 0 ? `gitrepo ${operation.namespace}/${operation.name} sent again` : `gitrepo ${operation.namespace}/${operation.name} not found` };
  }

  async #relist(operation: RelistOperation, id: string): Promise<ApplyResult> {
    const targets = this.#targets("commitstatuses", operation.namespace);
    let sent = 0;
    try {
      for (const target of targets) {
        for await (const item of this.#list("commitstatuses", "CommitStatus", target, operation.namespace)) {
          const ref = (item.spec as { gitRepoRef?: { name?: string } } | undefined)?.gitRepoRef?.name;
          if (operation.gitRepo !== undefined && ref !== operation.gitRepo) continue;
          await this.#options.ship("RESYNC", item, id);
          sent++;
        }
      }
    } catch (error) {
      return resultOfError(error, `commitstatuses in ${operation.namespace ?? "all namespaces"}`);
    }
    return { outcome: ApplyOutcome.Done, detail: `${sent} commitstatuses sent again` };
  }

  #targets(plural: string, namespace: string | undefined): WatchTarget[] {
    return this.#options.targets.filter((t) => t.group === GROUP && t.plural === plural && inTarget(t, namespace));
  }

  /**
   * One watched collection narrowed to `namespace`, a page at a time (each
   * page shipped before the next is read); a list's items get back their
   * apiVersion and kind.
   */
  async *#list(plural: string, kind: string, target: WatchTarget, namespace: string | undefined, fieldSelector?: string): AsyncGenerator<KubeObject> {
    const ns = target.namespace ?? namespace;
    let next: string | undefined;
    do {
      const query = {
        group: GROUP,
        version: target.version,
        plural,
        limit: PAGE,
        ...(target.labelSelector ? { labelSelector: target.labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
        ...(next ? { _continue: next } : {}),
      };
      const page = (ns ? await this.#api.listNamespacedCustomObject({ ...query, namespace: ns }) : await this.#api.listClusterCustomObject(query)) as {
        items?: KubeObject[];
        metadata?: { continue?: string };
      };
      for (const item of page.items ?? []) yield { ...item, apiVersion: `${GROUP}/${target.version}`, kind };
      next = page.metadata?.continue || undefined;
    } while (next);
  }
}
