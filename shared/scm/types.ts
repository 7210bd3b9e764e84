/**
 * The SCM provider layer's contract. One small interface serves both the
 * pipeline `scm` receiver and the CommitStatus sync: write a status for a
 * (repository, commit, status name) target, and read back what the SCM
 * holds for it so that drift can be detected.
 */

/** The phases of a CommitStatus (commit-status.argoproj.io), which every provider maps both ways. */
export const CommitStatusPhase = {
  Queued: "queued",
  InProgress: "in_progress",
  Success: "success",
  Failure: "failure",
  Canceled: "canceled",
} as const;
export type CommitStatusPhase = (typeof CommitStatusPhase)[keyof typeof CommitStatusPhase];

export const COMMIT_STATUS_PHASES: readonly CommitStatusPhase[] = Object.values(CommitStatusPhase);

export const isCommitStatusPhase = (value: unknown): value is CommitStatusPhase =>
  typeof value === "string" && (COMMIT_STATUS_PHASES as readonly string[]).includes(value);

/** The built-in providers' type names; the registry (registry.ts) holds what each one is. */
export const ProviderKind = {
  GitHub: "github",
  GitLab: "gitlab",
  BitbucketCloud: "bitbucket-cloud",
  BitbucketServer: "bitbucket-server",
  Gitea: "gitea",
  AzureDevOps: "azure-devops",
  Fake: "fake",
} as const;
/** A provider's type name: a built-in one or any registered one. */
export type ProviderKind = string;

/**
 * Repository coordinates in a provider's own terms (the GitRepo resource's
 * shapes): `kind` is the provider's type, the other fields are declared by
 * its folder (github: `owner`, `name`; gitlab: `project`, the numeric id or
 * the full path) in the order they are written in a label.
 */
export interface RepoRef {
  readonly kind: string;
  readonly [field: string]: string | number;
}

/** Where a status goes: one named status on one commit of one repository. */
export interface StatusTarget {
  readonly repo: RepoRef;
  /** Full commit id: 40 hex characters (SHA-1) or 64 (SHA-256). */
  readonly sha: string;
  /** The status name (GitHub check name or context, GitLab name, Bitbucket key, Gitea context). */
  readonly name: string;
  /** Branch or tag, for providers that file statuses per ref (GitLab `ref`, Bitbucket `refname`). */
  readonly ref?: string;
  /** The pull request the run builds, for providers that also file the status on the request (Azure DevOps). */
  readonly pullRequest?: number;
}

/**
 * Ids a provider hands out on a write and needs again on the next one; the
 * caller stores them with the status (the CommitStatus `status.provider`).
 */
export interface ProviderIds {
  /** GitHub check run, updated in place on every later write. */
  readonly checkRunId?: number;
  /** Id of the last status object written (GitHub commit status, GitLab, Gitea): informational. */
  readonly statusId?: number;
  /** Bitbucket build-status key actually used (names longer than the limit are hashed). */
  readonly key?: string;
}

/** The user-visible content of a status. */
export interface StatusFields {
  readonly phase: CommitStatusPhase;
  readonly description?: string;
  /** Link from the SCM to the run (GitHub `details_url`/`target_url`, GitLab `target_url`, Bitbucket `url`). */
  readonly url?: string;
  /** Markdown shown on a GitHub check run (`output.text`), e.g. the stage table; ignored elsewhere. */
  readonly details?: string;
}

/** What the caller wants the SCM to show, plus the ids remembered from earlier writes. */
export interface DesiredStatus extends StatusFields {
  readonly providerIds?: ProviderIds;
  /**
   * The caller's own id for what the status reports (the run's uid), as a
   * GitHub check run's `external_id`; ignored elsewhere. Not shown to
   * people, so never part of drift comparison.
   */
  readonly externalId?: string;
}

/** What the SCM holds for a target. */
export interface ObservedStatus {
  /** Undefined when the SCM holds a state with no CommitStatus phase (a check run concluded `neutral`). */
  readonly phase?: CommitStatusPhase;
  /** The provider's own state (`pending`, `completed/success`, `INPROGRESS`), for messages and comparison. */
  readonly state: string;
  readonly description: string;
  readonly url: string;
  readonly details?: string;
  readonly providerIds: ProviderIds;
  /** The run the status was written for, where the SCM keeps it (a GitHub check run's `external_id`). */
  readonly externalId?: string;
}

export const WriteOutcome = {
  Created: "created",
  Updated: "updated",
  /** The SCM already held this state and said so (GitLab's same-state 400). */
  Unchanged: "unchanged",
} as const;
export type WriteOutcome = (typeof WriteOutcome)[keyof typeof WriteOutcome];

export interface WrittenStatus {
  readonly outcome: WriteOutcome;
  /** The provider state written, as `stateOf(phase)` gives it. */
  readonly state: string;
  /** Ids to remember and pass back in `DesiredStatus.providerIds` next time. */
  readonly providerIds: ProviderIds;
}

/** How one provider presents statuses, so callers can compare without asking the SCM. */
export interface StatusView {
  /** The provider's state for a phase; phases with the same state look identical on this SCM. */
  stateOf(phase: CommitStatusPhase): string;
  /**
   * The longest description this SCM keeps, in characters; undefined where
   * it documents none. Callers fit their text to it, so that the cut falls
   * where they choose rather than where `render` truncates.
   */
  readonly descriptionLimit?: number;
  /** The fields as this provider stores them: descriptions cut to its limit, details dropped where it cannot show them. */
  render(status: StatusFields): Required<Omit<StatusFields, "details">> & Pick<StatusFields, "details">;
}

/**
 * One SCM. Providers write when asked: deciding whether a write is needed is
 * the caller's job (`sameStatus` against what the store remembers), so that
 * the steady state costs no request at all.
 */
export interface CommitStatusProvider extends StatusView {
  readonly kind: string;
  /** Writes the status; resolves to the ids to remember. Throws ScmError subclasses. */
  setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus>;
  /** Reads the status the SCM holds for the target; undefined when it holds none. `known` saves a lookup. */
  getStatus(target: StatusTarget, known?: ProviderIds): Promise<ObservedStatus | undefined>;
}
