/**
 * Everything the rest of the product knows about one SCM, in one object per
 * provider folder (`shared/scm/<type>/index.ts`), after Flux
 * notification-controller's factory map: the `scm` receiver, the
 * CommitStatus sync and target resolution read descriptors from the
 * registry and never name a provider. A new SCM is one folder and one line
 * in registry.ts.
 */
import type { z } from "zod";
import type { PullRequestCommenter } from "./comments";
import type { DeploymentWriter } from "./deployments";
import type { CommitStatusProvider, ProviderIds, RepoRef } from "./types";

/** Reads a secret reference; `path` names the option it came from in messages (`app.privateKey`). */
export type SecretReader = (reference: string, path: string) => Promise<string>;

/** A provider's status writer and, when asked for, its commenter: one client, one credential. */
export interface ScmConnection {
  readonly status: CommitStatusProvider;
  readonly commenter?: PullRequestCommenter;
  /** Where the SCM has deployments (GitHub): their writer, on the same client. */
  readonly deployments?: DeploymentWriter;
}

/** Where a GitRepo points, in the provider layer's terms. */
export interface GitRepoCoordinates<R extends RepoRef = RepoRef> {
  readonly repo: R;
  /** Non-secret provider options (API roots); the credentials come from the GitRepo's secret. */
  readonly options: Readonly<Partial<Record<string, string>>>;
  /** `github.com/acme/shop`: how statuses and messages name the repository. */
  readonly label: string;
}

/**
 * The `scm` receiver's view of a provider: the options it adds to the common
 * ones (`statusName`, `events`, `comment`, `repo`, `timeoutSeconds`), and what
 * they mean once read. `O` is the validated options object.
 */
export interface ScmReceiverOptions<O> {
  /** Keys besides `provider` and the common ones; strict, secrets by reference. */
  readonly shape: z.ZodRawShape;
  /** Checks across keys (one credential of two kinds), reported with the key's path. */
  refine?(options: O, ctx: z.RefinementCtx): void;
  /** `repo` may name nested groups (`group/sub/project`), as GitLab's do. */
  readonly nestedRepo?: boolean;
  /** The provider refuses statuses without a link (Bitbucket): the receiver needs `processing.dashboardUrl`. */
  readonly needsLink?: boolean;
  /** The one web host whose repositories the receiver serves. */
  webHost(options: O): string;
  /**
   * Why a run's repository (its host and the path before its name) is not
   * the receiver's, or undefined when it is; for SCMs where the host alone
   * cannot say (Azure DevOps: many organizations on dev.azure.com, one
   * organization on several hosts). Without it the run's host must be `webHost`.
   */
  elsewhere?(options: O, location: { readonly host: string; readonly owner?: string }): string | undefined;
  /** Provider options for `connect`, with the secrets read. */
  resolve(options: O, secret: SecretReader, timeoutMs: number): Promise<Record<string, unknown>>;
  /**
   * The credential a request for `repo` is counted against by the SCM's rate
   * limit (a pause key part, never the secret): receivers sharing it share
   * a pause.
   */
  credentialId(resolved: Record<string, unknown>, repo: RepoRef): string;
}

export interface ScmDescriptor<R extends RepoRef = RepoRef, O = Record<string, unknown>, B = Record<string, unknown>> {
  /** The type name: the receiver's `provider`, the RepoRef `kind`, what sync records store. */
  readonly type: R["kind"];
  /**
   * Other names for the same SCM, in the receiver's `provider` and in a run's
   * `git-provider` annotation (Pipelines-as-Code's names: `bitbucket-datacenter`,
   * `forgejo`, `github-enterprise`).
   */
  readonly aliases: readonly string[];
  readonly receiver: ScmReceiverOptions<O>;
  /** The GitRepo resource's block for this SCM (`spec.github`), and what it points at. */
  readonly gitRepo: {
    readonly key: string;
    readonly schema: z.ZodType<B>;
    coordinates(block: B): GitRepoCoordinates<R>;
  };
  /** The repository a run's clone URL names, from its `owner/repo` path. */
  repoRef(owner: string, repo: string): R;
  /** The ref as this SCM files statuses under it; undefined where statuses are per commit only. */
  refFor?(ref: string): string | undefined;
  /** The ids of a write as the CommitStatus CRD's `status.provider` declares them. */
  providerStatus(ids: ProviderIds): Record<string, unknown>;
  /**
   * Merge requests from forks, where the commit lives in the source project
   * and the token may not write there (GitLab). With it, the `scm` receiver
   * posts to the source project first, then to the target project under
   * `targetRef(request)`, the ref the target keeps the request's commits
   * under, and else notes on the request what it could not write.
   */
  readonly forks?: { targetRef(request: number): string };
  /** Whether `connect(…, { comments: true })` gives a pull request commenter. */
  readonly comments: boolean;
  /** Builds the provider from resolved options; bad options throw InvalidProviderOptionsError naming the option. */
  connect(options: unknown, want?: { readonly comments?: boolean }): ScmConnection | Promise<ScmConnection>;
}

/** Keeps a descriptor's types while checking it against the contract. */
export const defineScm = <R extends RepoRef, O, B>(descriptor: ScmDescriptor<R, O, B>): ScmDescriptor<R, O, B> => descriptor;
