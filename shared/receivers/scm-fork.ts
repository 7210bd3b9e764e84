/**
 * Statuses for merge requests from forks (pipelines-as-code#2253, #2381).
 * A status is set on the project that has the commit
 * (https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit):
 * the fork, where the receiver's token usually may not write. Like
 * Pipelines-as-Code's GitLab `CreateStatus` (pkg/provider/gitlab/gitlab.go),
 * the receiver tries the source project, then the target project, which
 * keeps the request's commits under the descriptor's `forks.targetRef`;
 * when both refuse (403, 404) it says so in a note on the merge request and
 * the call succeeds: a refusal does not change by retrying, and a message
 * in the DLQ would tell nobody on the request. Which project took the
 * status is remembered per (request, status name), so later events go
 * straight there: one request each, as for any other run.
 */
import type { Log } from "../log";
import { canonicalHost, parseRepoUrl } from "../pipeline/git";
import type { ReceiverStore } from "../pipeline/receiver";
import type { PipelineInfo } from "../pipeline/types";
import { PermanentScmError, repoLabel, type CommitStatusProvider, type DesiredStatus, type ProviderIds, type PullRequestCommenter, type StatusTarget } from "../scm";
import { StoreKey } from "../store/keys";
import { digest, requestNumber, unwrittenMarker } from "./scm-comment";
import { isRefusal, unwrittenNoteBody, writtenNoteBody, type Refusal } from "./scm-fork-note";
import type { CredentialGuard } from "./scm-pause";
import type { TargetSettings } from "./scm-status";

/** Where a fork's status went last time. */
export const ForkRoute = { Source: "source", Target: "target", Note: "note" } as const;
export type ForkRoute = (typeof ForkRoute)[keyof typeof ForkRoute];
type Project = typeof ForkRoute.Source | typeof ForkRoute.Target;

/** The two places a status for a merge request from a fork can go. */
export interface ForkTargets {
  readonly request: number;
  /** The fork: the project that has the commit, under the run's source branch. */
  readonly source: StatusTarget;
  /** The merge request's project, under the ref it keeps the request's commits. */
  readonly target: StatusTarget;
}

/**
 * The fork's and the target's targets for a run from a fork, or undefined
 * for any other run, which goes to `target` as it is: a push, a request
 * from a branch of the same project, an SCM without forks, a receiver with
 * a fixed `repo` (the user chose where statuses go), a run that names no
 * request, or a source on another host.
 */
export const forkTargetsOf = (info: PipelineInfo, settings: TargetSettings, target: StatusTarget): ForkTargets | undefined => {
  const forks = settings.scm.forks;
  const url = info.git?.sourceRepoUrl;
  if (!forks || url === undefined || settings.repo) return undefined;
  const request = requestNumber(info);
  const source = parseRepoUrl(url);
  if (request === undefined || !source || canonicalHost(source.host) !== canonicalHost(settings.webHost)) return undefined;
  return {
    request,
    source: { ...target, repo: settings.scm.repoRef(source.owner, source.repo) },
    target: { ...target, ref: forks.targetRef(request) },
  };
};

export interface ForkDeps {
  readonly receiver: string;
  readonly provider: CommitStatusProvider;
  readonly commenter: PullRequestCommenter;
  readonly store: ReceiverStore;
  readonly guard: CredentialGuard;
  readonly log: Log;
}

interface RememberedRoute {
  /** The run that last wrote the record: a note stands for the rest of its run. */
  uid: string;
  route: ForkRoute;
  /** Why neither project took the status, for the note on the run's later events. */
  refusals?: Refusal[];
  /** The note on the request, once there is one, and the digest of its body. */
  noteId?: number;
  note?: string;
}

const isRemembered = (value: Record<string, unknown> | undefined): value is Record<string, unknown> & RememberedRoute =>
  typeof value?.uid === "string" &&
  (Object.values(ForkRoute) as unknown[]).includes(value.route) &&
  (value.refusals === undefined || (Array.isArray(value.refusals) && value.refusals.every(isRefusal))) &&
  (value.noteId === undefined || typeof value.noteId === "number");

/** 403 and 404 say the token may not write there (or cannot see the project); a rate limit is no refusal. */
const isWriteRefusal = (error: unknown): error is PermanentScmError =>
  error instanceof PermanentScmError && (error.status === 403 || error.status === 404);

/**
 * The projects to try, in order: the one that took the status last, then
 * the other; none while the run that found both refusing goes on (its
 * note is updated instead). A new run tries both again, so access granted
 * since is noticed.
 */
const attemptsFor = (remembered: RememberedRoute | undefined, uid: string): Project[] => {
  if (remembered?.route === ForkRoute.Note && remembered.uid === uid) return [];
  return remembered?.route === ForkRoute.Target ? [ForkRoute.Target, ForkRoute.Source] : [ForkRoute.Source, ForkRoute.Target];
};

/**
 * Writes a fork's status where the merge request can show it; resolves to
 * the ids to remember (none when only the note could be written). Other
 * errors than a refusal are thrown as they are: a rate limit or an outage
 * is retried with the message.
 */
export const postForFork = async (deps: ForkDeps, fork: ForkTargets, status: DesiredStatus, info: PipelineInfo): Promise<ProviderIds> => {
  const key = StoreKey.forkRoute(deps.receiver, repoLabel(fork.target.repo), fork.request, fork.target.name);
  const stored = await deps.store.get(key);
  const remembered = isRemembered(stored) ? stored : undefined;
  const refusals: Refusal[] = [];
  for (const route of attemptsFor(remembered, info.uid)) {
    const target = route === ForkRoute.Source ? fork.source : fork.target;
    try {
      const written = await deps.guard.run(target.repo, () => deps.provider.setStatus(target, status));
      if (remembered?.route !== route) {
        const note = remembered?.route === ForkRoute.Note ? await retractNote(deps, fork, remembered, repoLabel(target.repo)) : undefined;
        await deps.store.put(key, { uid: info.uid, route, ...note });
      }
      return written.providerIds;
    } catch (error) {
      if (!isWriteRefusal(error)) throw error;
      deps.log.debug(`receiver ${deps.receiver}: ${target.name} refused on the ${route} project ${repoLabel(target.repo)}: ${error.message}`);
      refusals.push({ project: repoLabel(target.repo), role: route, ...(target.ref ? { ref: target.ref } : {}), reason: error.message });
    }
  }

  const why = refusals.length > 0 ? refusals : (remembered?.refusals ?? []);
  const body = unwrittenNoteBody(fork.target.name, info, status, why);
  if (remembered?.route === ForkRoute.Note && remembered.note === digest(body)) return {};
  const marker = unwrittenMarker(fork.target.name);
  const written = await deps.guard.run(fork.target.repo, () =>
    deps.commenter.writeComment({ repo: fork.target.repo, number: fork.request, marker }, body, remembered?.noteId),
  );
  deps.log.warn(`receiver ${deps.receiver}: status ${fork.target.name} of merge request !${fork.request} could not be written; noted on the request`, {
    receiver: deps.receiver,
    run: info.id,
    refusals: why.map((refusal) => `${refusal.project}: ${refusal.reason}`),
  });
  const record: RememberedRoute = { uid: info.uid, route: ForkRoute.Note, refusals: why, noteId: written.commentId, note: digest(body) };
  await deps.store.put(key, { ...record });
  return {};
};

/**
 * Best effort: the note said the status was missing, and now it is not.
 * The status is already written, so a failure here only leaves the note
 * as it was (and is logged); retrying the message would write it again.
 */
const retractNote = async (deps: ForkDeps, fork: ForkTargets, remembered: RememberedRoute, project: string): Promise<Partial<RememberedRoute>> => {
  if (remembered.noteId === undefined) return {};
  const body = writtenNoteBody(fork.target.name, project);
  try {
    const marker = unwrittenMarker(fork.target.name);
    const written = await deps.guard.run(fork.target.repo, () =>
      deps.commenter.writeComment({ repo: fork.target.repo, number: fork.request, marker }, body, remembered.noteId),
    );
    return { noteId: written.commentId, note: digest(body) };
  } catch (error) {
    deps.log.warn(`receiver ${deps.receiver}: could not update the note on merge request !${fork.request}`, { error: (error as Error).message });
    return { noteId: remembered.noteId };
  }
};
