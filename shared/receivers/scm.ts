/**
 * The `scm` receiver: posts a run's status to the commit in its git context
 * on GitHub (check runs with an App, commit statuses with a token), GitLab,
 * Bitbucket Cloud and Server, Gitea or Forgejo, Azure DevOps (and its pull
 * request when the run builds one), and optionally keeps a pull
 * request comment with the stage table; a run that names an environment
 * also gets a GitHub deployment (scm-deployment.ts).
 *
 * Every post has the same skeleton (Flux notification-controller's): map the
 * run to a target and a status, compare with what the run's memory says the
 * receiver last posted for it, return early if the SCM would show the same,
 * else write and remember. No GET in the steady state, and no read or write
 * of its own in the state table: the memory travels with the run item.
 * ScmErrors are rethrown as they are, and their disposition (shared/errors)
 * decides: a permanent one makes the pipeline handler give up on the call, a
 * rate limit's not-before time becomes the message's visibility timeout.
 * Every write goes through the credential's guard (scm-pause.ts): a rate
 * limit pauses the credential for every message, and a paused one sends no
 * request.
 */
import { stateHash } from "../pipeline/lifecycle";
import type { PipelineInfo } from "../pipeline/types";
import { FAILED_PHASES } from "./format";
import {
  CommitStatusPhase,
  isCommitStatusPhase,
  repoLabel,
  shownDigest,
  type CommitStatusProvider,
  type DeploymentWriter,
  type ProviderIds,
  type PullRequestCommenter,
  type ScmConnection,
  type StatusFields,
  type StatusTarget,
} from "../scm";
import { ReceiverError } from "./errors";
import type { ReceiverFactory } from "./registry";
import { COMMENT_TEXT_MAX, digest, syncComment } from "./scm-comment";
import { syncDeployment } from "./scm-deployment";
import { forkTargetsOf, postForFork } from "./scm-fork";
import { elsewhereOf, resolveProviderOptions, ScmOptions, webHostOf } from "./scm-options";
import { CredentialGuard, credentialOf, pauseBoardFor } from "./scm-pause";
import { commitStatusRank, pipelineToCommitStatus, statusTargetOf, type TargetSettings } from "./scm-status";
import { checkRunDetails, runOutcome, statusDescription } from "./scm-summary";
import { renderTemplate } from "./template";
import { LifecycleEvent, type ReceiverContext, type ReceiverStore, type ServiceContext } from "../pipeline/receiver";
import { PostingReceiver } from "./webhook";

/**
 * What the run's memory keeps of the status the receiver last posted for it
 * (`ReceiverContext.memory`, stored in the run item): where it was posted,
 * its phase, a digest of what the SCM shows, and the provider's ids (the
 * check run to update). Digests rather than fields: the run item is written
 * on every event that calls a receiver, and each KB is a write unit.
 */
interface RememberedStatus {
  /** Digest of the repository, commit and status name. */
  at: string;
  phase: CommitStatusPhase;
  /** `shownDigest` of the fields posted. */
  shown: string;
  ids: ProviderIds;
}

const isRemembered = (value: Readonly<Record<string, unknown>> | undefined): value is Readonly<Record<string, unknown>> & RememberedStatus =>
  typeof value?.at === "string" && isCommitStatusPhase(value.phase) && typeof value.shown === "string" && typeof value.ids === "object" && value.ids !== null;

/**
 * The run's phase and its failed stages: what a progress callback posts for
 * (`progressKey`). Every request counts against the credential's rate limit
 * (5,000 an hour for a token or an App installation), and the floor is one
 * per lifecycle transition: a stage that started or succeeded changes the
 * check run's table and the tally, but the run's next transition brings
 * both up to date, so the finished run's status and table are complete. A
 * failed stage is posted at once: a run can go on for minutes after one
 * (parallel branches, `finally` tasks), and people act on a failure.
 */
const phaseAndFailures = (info: PipelineInfo): string => stateHash({ phase: info.phase, stages: info.stages.filter((s) => FAILED_PHASES.has(s.phase)) });

interface Ready {
  readonly provider: CommitStatusProvider;
  /** The stage-table comment's writer, when `comment.enabled`. */
  readonly commenter: PullRequestCommenter | undefined;
  /** Where the SCM has forks (scm-fork.ts): the writer of the note that says a status could not be written. */
  readonly forkNotes: PullRequestCommenter | undefined;
  readonly store: ReceiverStore;
  readonly settings: TargetSettings;
  readonly guard: CredentialGuard;
  /** The SCM's deployments (GitHub), for runs that name an environment (scm-deployment.ts). */
  readonly deployments: DeploymentWriter | undefined;
}

export class ScmReceiver extends PostingReceiver {
  readonly #options: ScmOptions;
  #ready: Ready | undefined;

  constructor(name: string, options: ScmOptions) {
    super(name, options.events);
    this.#options = options;
  }

  /** Reads the credentials and builds the provider once per cold start. */
  async initialize(sc: ServiceContext): Promise<void> {
    const field = (path: string) => `receiver ${this.name}: options.${path}`;
    const { scm } = this.#options;
    if (scm.receiver.needsLink && !sc.config.processing.dashboardUrl) {
      // Bitbucket refuses build statuses without a link; say so at start, not on every run.
      throw new ReceiverError(`receiver ${this.name}: ${this.#options.provider} requires a link on every build status: set processing.dashboardUrl`);
    }
    const resolved = await resolveProviderOptions(this.#options, field);
    let connection: ScmConnection;
    try {
      // One client for statuses and comments: one installation token, one rate limit.
      connection = await scm.connect(resolved.options, { comments: this.#options.comment.enabled || scm.forks !== undefined });
    } catch (cause) {
      const path = (cause as { path?: unknown }).path;
      throw new ReceiverError(`${field(typeof path === "string" && path ? path : "provider")}: ${(cause as Error).message}`, { cause });
    }
    const [owner, ...rest] = this.#options.repo?.split("/") ?? [];
    const elsewhere = elsewhereOf(this.#options);
    const guard = new CredentialGuard({
      board: pauseBoardFor(sc.store),
      host: webHostOf(this.#options),
      credentialOf: (repo) => credentialOf(resolved, repo),
      log: sc.log,
    });
    this.#ready = {
      provider: connection.status,
      commenter: this.#options.comment.enabled ? connection.commenter : undefined,
      forkNotes: scm.forks ? connection.commenter : undefined,
      store: sc.store,
      guard,
      deployments: connection.deployments,
      settings: {
        scm,
        webHost: webHostOf(this.#options),
        ...(elsewhere ? { elsewhere } : {}),
        ...(owner && rest.length > 0 ? { repo: { owner, repo: rest.join("/") } } : {}),
        statusName: this.#options.statusName,
      },
    };
  }

  progressKey(info: PipelineInfo): string {
    return phaseAndFailures(info);
  }

  protected async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    const ready = this.#ready;
    if (!ready) throw new ReceiverError(`receiver ${this.name} was called before initialize()`);
    const found = statusTargetOf(info, ready.settings);
    if ("skip" in found) {
      ctx.log.debug(`receiver ${this.name}: nothing to post for ${info.id}: ${found.skip}`, { receiver: this.name, run: info.id });
      return;
    }
    const { target } = found;
    const custom = (option: TemplateField, max?: number) =>
      renderTemplate(this.#options.template?.[option], ctx, info, { receiver: this.name, option: `template.${option}` }, max);
    // Every status names the run it reports, within the provider's limit (scm-summary.ts).
    const summary = showsDetails(ready.provider) ? custom("summary", ready.provider.descriptionLimit) : undefined;
    const description = summary ?? custom("description", ready.provider.descriptionLimit) ?? statusDescription(info, ready.provider.descriptionLimit);
    const details = custom("text") ?? checkRunDetails(info);
    const desired: StatusFields = {
      phase: pipelineToCommitStatus(info.phase),
      description,
      // processing.dashboardUrl, rendered for this run: GitHub's details_url, the others' target URL.
      ...(info.dashboardUrl ? { url: info.dashboardUrl } : {}),
      ...(details ? { details } : {}),
    };

    const at = digest(`${repoLabel(target.repo)}@${target.sha}/${target.name}`).slice(0, 12);
    const { forkNotes } = ready;
    const fork = forkNotes && forkTargetsOf(info, ready.settings, target);
    // On a repeat the memory may predate the lost call: what the SCM shows comes first.
    const recalled = ctx.repeat && !fork ? await recall(ready, target, at, info) : undefined;
    const remembered = recalled ?? (isRemembered(ctx.memory?.value) && ctx.memory.value.at === at ? ctx.memory.value : undefined);
    const shown = shownDigest(desired, ready.provider);
    if (remembered && isBehind(desired.phase, remembered.phase)) {
      ctx.log.debug(`receiver ${this.name}: ${target.name} on ${repoLabel(target.repo)} left alone: the run already reported ${remembered.phase}`);
    } else if (remembered?.shown === shown) {
      // Recalled from the SCM: kept, so the next call needs no read.
      if (recalled) ctx.memory?.set({ ...recalled });
    } else {
      // A rerun is another run, with a memory of its own: it gets its own check run.
      const status = { ...desired, externalId: info.uid, ...(remembered ? { providerIds: remembered.ids } : {}) };
      const providerIds = fork
        ? await postForFork({ receiver: this.name, provider: ready.provider, commenter: forkNotes, store: ready.store, guard: ready.guard, log: ctx.log }, fork, status, info)
        : (await ready.guard.run(target.repo, () => ready.provider.setStatus(target, status))).providerIds;
      const record: RememberedStatus = { at, phase: desired.phase, shown, ids: providerIds };
      ctx.memory?.set({ ...record });
    }

    // The comment names the run in its own line of facts.
    if (ready.commenter) {
      const deps = { receiver: this.name, commenter: ready.commenter, store: ready.store, log: ctx.log, guard: ready.guard };
      await syncComment(deps, info, target, runOutcome(info), custom("comment", COMMENT_TEXT_MAX));
    }

    // Last: a deployment that cannot be written does not hold back the status or the comment.
    const deployment = { receiver: this.name, deployments: ready.deployments, provider: this.#options.provider, store: ready.store, guard: ready.guard, log: ctx.log };
    await syncDeployment(deployment, event, info, target);
  }
}

type TemplateField = keyof NonNullable<ScmOptions["template"]>;

/**
 * What the SCM shows for the target, as a memory, for a call that may repeat
 * one whose record (and the memory in it) was lost: one read instead of a
 * second status, or with a GitHub App a second check run. A check run of
 * another run (its `external_id`) is not this run's.
 */
const recall = async (ready: Ready, target: StatusTarget, at: string, info: PipelineInfo): Promise<RememberedStatus | undefined> => {
  const observed = await ready.guard.run(target.repo, () => ready.provider.getStatus(target));
  if (!observed?.phase || (observed.externalId !== undefined && observed.externalId !== info.uid)) return undefined;
  const fields = { phase: observed.phase, description: observed.description, url: observed.url, ...(observed.details ? { details: observed.details } : {}) };
  return { at, phase: observed.phase, shown: shownDigest(fields, ready.provider), ids: observed.providerIds };
};

/** Where the SCM shows a status's details, its statuses are check runs: their summary is the description. */
const showsDetails = (provider: CommitStatusProvider): boolean => provider.render({ phase: CommitStatusPhase.Success, details: "-" }).details !== undefined;

/** True when `desired` is an earlier state of the run than `remembered` (a replayed event). */
const isBehind = (desired: CommitStatusPhase, remembered: CommitStatusPhase): boolean => {
  const [d, r] = [commitStatusRank(desired), commitStatusRank(remembered)];
  return d < r || (r === 2 && desired !== remembered);
};

export const scmReceiverFactory: ReceiverFactory<typeof ScmOptions> = {
  options: ScmOptions,
  create: (name, options) => new ScmReceiver(name, options),
};
