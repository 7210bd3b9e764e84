/**
 * What the `scm` receiver posts, as pure functions of a run: the commit
 * status phase, the status name and the target (repository and commit)
 * taken from the run's git context; the description and the check run's
 * markdown are in scm-summary.ts.
 */
import { canonicalHost } from "../pipeline/git";
import { statusName } from "../pipeline/run-name";
import { PipelinePhase, type GitContext, type PipelineInfo } from "../pipeline/types";
import { CommitStatusPhase, UnmappedStateError, type ScmDescriptor, type StatusTarget } from "../scm";

// Kept here too: the receivers index and the PR comment import them from this module.
export { stageTableMarkdown, statusDescription } from "./scm-summary";

const TO_COMMIT_STATUS = {
  [PipelinePhase.Pending]: CommitStatusPhase.Queued,
  [PipelinePhase.Running]: CommitStatusPhase.InProgress,
  [PipelinePhase.Succeeded]: CommitStatusPhase.Success,
  [PipelinePhase.Failed]: CommitStatusPhase.Failure,
  [PipelinePhase.Errored]: CommitStatusPhase.Failure,
  [PipelinePhase.TimedOut]: CommitStatusPhase.Failure,
  [PipelinePhase.Cancelled]: CommitStatusPhase.Canceled,
  // A stage's phase only: a run is never skipped, but every phase maps.
  [PipelinePhase.Skipped]: CommitStatusPhase.Success,
} as const satisfies Record<PipelinePhase, CommitStatusPhase>;

/** Own keys only: a phase named `toString` must not find Object.prototype. */
export const pipelineToCommitStatus = (phase: PipelinePhase): CommitStatusPhase => {
  if (!Object.hasOwn(TO_COMMIT_STATUS, phase)) throw new UnmappedStateError("pipeline phase", phase);
  return TO_COMMIT_STATUS[phase];
};

/** Queued < in progress < finished: a run's status never moves back within one run. */
export const commitStatusRank = (phase: CommitStatusPhase): number =>
  phase === CommitStatusPhase.Queued ? 0 : phase === CommitStatusPhase.InProgress ? 1 : 2;

// The run's stable name and status name live with the run; kept here too for the scm receiver's importers.
export {
  DEFAULT_STATUS_NAME,
  STATUS_NAME_ANNOTATION,
  STATUS_NAME_VARIABLES,
  stableRunName,
  statusName,
  unknownVariables,
  type RunNaming,
} from "../pipeline/run-name";

export interface TargetSettings {
  /** The receiver's SCM: how its repositories and refs are addressed, and the names that mean it. */
  readonly scm: Pick<ScmDescriptor, "type" | "aliases" | "repoRef" | "refFor" | "forks">;
  /** Web host of the receiver's SCM (scm-options.ts `webHostOf`): the only host whose runs it posts. */
  readonly webHost: string;
  /** The SCM's own test of a run's repository location, in place of the host comparison (descriptor `receiver.elsewhere`). */
  readonly elsewhere?: (location: { readonly host: string; readonly owner?: string }) => string | undefined;
  /** `owner/repo` from config, used instead of the run's repository. */
  readonly repo?: { owner: string; repo: string };
  readonly statusName: string;
}

export type TargetResult = { readonly target: StatusTarget } | { readonly skip: string };

/**
 * Why a run's repository is not this receiver's to post for, or undefined
 * when it is. Two receivers of one provider type on two hosts (github.com
 * and a GitHub Enterprise server) must each see only their own runs, so the
 * host decides, never the provider name: a `git-provider: github` annotation
 * (or one inferred from github.com) is true of both. The name can only
 * narrow: a run that says it is on GitLab is not posted to GitHub even when
 * the hosts agree.
 */
const notOurs = (git: GitContext, settings: TargetSettings): string | undefined => {
  const { scm } = settings;
  if (git.provider !== undefined && git.provider !== scm.type && !scm.aliases.includes(git.provider)) {
    return `the run's repository is on ${git.provider}, this receiver posts to ${scm.type}`;
  }
  if (git.host === undefined) {
    // A fixed `repo` names the repository on this receiver's host; a run that
    // names no host (a sha annotation alone) has nothing to contradict it.
    if (settings.repo) return undefined;
    return `the run's repository host is unknown (no repository URL), this receiver posts only for ${settings.webHost}`;
  }
  // Also with a fixed `repo`: a commit of a repository on another host is not
  // in it (mirrors aside), and posting would carry that run's names and
  // messages to a server its repository does not live on.
  if (settings.elsewhere) return settings.elsewhere({ host: git.host, ...(git.owner ? { owner: git.owner } : {}) });
  if (canonicalHost(git.host) !== canonicalHost(settings.webHost)) {
    return `the run's repository host ${git.host} is not this receiver's ${settings.webHost}`;
  }
  return undefined;
};

/** Where the run's status goes, or why it goes nowhere. */
export const statusTargetOf = (info: PipelineInfo, settings: TargetSettings): TargetResult => {
  const git = info.git;
  if (!git) return { skip: "the run has no git context (no repository or commit annotations)" };
  if (!git.sha) return { skip: "the run's git context names no commit" };
  const elsewhere = notOurs(git, settings);
  if (elsewhere) return { skip: elsewhere };
  const location = settings.repo ?? (git.owner && git.repo ? { owner: git.owner, repo: git.repo } : undefined);
  if (!location) return { skip: "the run's git context names no repository" };
  const name = statusName(settings.statusName, info);
  if (!name) return { skip: "the status name template gave an empty name" };
  const ref = git.ref ? settings.scm.refFor?.(git.ref) : undefined;
  const pullRequest = requestNumber(info);
  return {
    target: {
      repo: settings.scm.repoRef(location.owner, location.repo),
      sha: git.sha,
      name,
      ...(ref ? { ref } : {}),
      ...(pullRequest !== undefined ? { pullRequest } : {}),
    },
  };
};

/** The request number in a run's git context (`42`, `#42`, `!7`), or undefined when it has none (or not a number). */
export const requestNumber = (info: PipelineInfo): number | undefined => {
  const pr = info.git?.pr?.replace(/^[#!]/, "");
  return pr && /^\d+$/.test(pr) && Number(pr) > 0 ? Number(pr) : undefined;
};
