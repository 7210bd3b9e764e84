/**
 * Deployments for deploy pipelines (GitHub Deployments): a run annotated
 * `commit-status.argoproj.io/environment: <name>` also gets, from an `scm`
 * receiver whose SCM has deployments, one deployment of its commit to that
 * environment and one status per lifecycle callback, so the environment's
 * page shows the run queued, then in progress, then how it ended:
 *
 * | callback | deployment status |
 * | --- | --- |
 * | created | queued |
 * | started, progress | in_progress |
 * | finished | success; failure (failed, timed out); error (errored, cancelled) |
 *
 * The receiver store remembers the deployment's id (per receiver,
 * repository, environment and run) as soon as it exists, then the last
 * status given: a redelivered or replayed callback posts nothing, and no
 * status is ever posted twice or after a later one. Each status links the
 * run (`processing.dashboardUrl`) as `log_url`. An SCM without deployments
 * ignores the annotation, saying so at debug level.
 */
import type { Log } from "../log";
import { LifecycleEvent, type ReceiverStore } from "../pipeline/receiver";
import { PipelinePhase, type PipelineInfo } from "../pipeline/types";
import { DeploymentPhase, deploymentRank, repoLabel, UnmappedStateError, type DeploymentWriter, type StatusTarget } from "../scm";
import { StoreKey } from "../store/keys";
import { runTitle } from "./format";
import type { CredentialGuard } from "./scm-pause";
import { statusDescription } from "./scm-summary";

/** The environment a run deploys to; without it a run gets no deployment. */
export const ENVIRONMENT_ANNOTATION = "commit-status.argoproj.io/environment";
/** Optional: where the deployed environment is reached (`environment_url`), an http(s) URL. */
export const ENVIRONMENT_URL_ANNOTATION = "commit-status.argoproj.io/environment-url";

/** How a finished run's deployment ended. */
const OUTCOME = {
  [PipelinePhase.Pending]: DeploymentPhase.Queued,
  [PipelinePhase.Running]: DeploymentPhase.InProgress,
  [PipelinePhase.Succeeded]: DeploymentPhase.Success,
  [PipelinePhase.Failed]: DeploymentPhase.Failure,
  [PipelinePhase.TimedOut]: DeploymentPhase.Failure,
  [PipelinePhase.Errored]: DeploymentPhase.Error,
  [PipelinePhase.Cancelled]: DeploymentPhase.Canceled,
  // A stage's phase only: a run is never skipped, but every phase maps.
  [PipelinePhase.Skipped]: DeploymentPhase.Success,
} as const satisfies Record<PipelinePhase, DeploymentPhase>;

/** The deployment status for a callback: the callback's step, and at the finish the run's outcome. */
export const deploymentPhaseOf = (event: LifecycleEvent, phase: PipelinePhase): DeploymentPhase => {
  if (event === LifecycleEvent.Created) return DeploymentPhase.Queued;
  if (event === LifecycleEvent.Started || event === LifecycleEvent.Progress) return DeploymentPhase.InProgress;
  if (!Object.hasOwn(OUTCOME, phase)) throw new UnmappedStateError("pipeline phase", phase);
  return OUTCOME[phase];
};

/** What the description of each status reads as: queued and in progress even for a run first seen finished. */
const SHOWN_AS: Partial<Record<DeploymentPhase, PipelinePhase>> = {
  [DeploymentPhase.Queued]: PipelinePhase.Pending,
  [DeploymentPhase.InProgress]: PipelinePhase.Running,
};

interface RememberedDeployment {
  id: number;
  /** The last status given; absent between the deployment's creation and its first status. */
  phase?: DeploymentPhase;
}

const isRemembered = (value: Record<string, unknown> | undefined): value is Record<string, unknown> & RememberedDeployment =>
  typeof value?.id === "number" && (value.phase === undefined || Object.values(DeploymentPhase).includes(value.phase as DeploymentPhase));

export interface DeploymentDeps {
  readonly receiver: string;
  /** The SCM's deployments, where it has them. */
  readonly deployments: DeploymentWriter | undefined;
  /** `github`, …: for the message when the SCM has none. */
  readonly provider: string;
  readonly store: ReceiverStore;
  readonly guard: CredentialGuard;
  readonly log: Log;
}

const httpUrl = (value: string | undefined): string | undefined => (value && /^https?:\/\/\S+$/.test(value.trim()) ? value.trim() : undefined);

/** Brings the run's deployment up to the callback's status; nothing for a run without the annotation. */
export const syncDeployment = async (deps: DeploymentDeps, event: LifecycleEvent, info: PipelineInfo, target: StatusTarget): Promise<void> => {
  const environment = info.annotations[ENVIRONMENT_ANNOTATION]?.trim();
  if (!environment) return;
  const { deployments } = deps;
  if (!deployments) {
    deps.log.debug(`receiver ${deps.receiver}: ${ENVIRONMENT_ANNOTATION} on ${info.id} ignored: ${deps.provider} has no deployments`);
    return;
  }
  const phase = deploymentPhaseOf(event, info.phase);
  const key = StoreKey.deployment(deps.receiver, repoLabel(target.repo), environment, info.uid);
  const stored = await deps.store.get(key);
  const remembered = isRemembered(stored) ? stored : undefined;
  if (remembered?.phase !== undefined && deploymentRank(phase) <= deploymentRank(remembered.phase)) {
    deps.log.debug(`receiver ${deps.receiver}: deployment ${remembered.id} of ${info.id} already ${remembered.phase}, not ${phase}`);
    return;
  }
  let id = remembered?.id;
  if (id === undefined) {
    const payload = { run: info.id, uid: info.uid };
    const create = () => deployments.createDeployment({ repo: target.repo, sha: target.sha, environment, description: runTitle(info), payload });
    id = await deps.guard.run(target.repo, create);
    // Remembered before any status: a retry after a failed status adds to this deployment, never makes another.
    await deps.store.put(key, { id } satisfies RememberedDeployment);
  }
  const deploymentId = id;
  const shown = { ...info, phase: SHOWN_AS[phase] ?? info.phase };
  const environmentUrl = httpUrl(info.annotations[ENVIRONMENT_URL_ANNOTATION]);
  const status = {
    phase,
    description: statusDescription(shown, deployments.descriptionLimit),
    ...(info.dashboardUrl ? { logUrl: info.dashboardUrl } : {}),
    ...(environmentUrl ? { environmentUrl } : {}),
  };
  await deps.guard.run(target.repo, () => deployments.setDeploymentStatus(target.repo, deploymentId, status));
  await deps.store.put(key, { id: deploymentId, phase } satisfies RememberedDeployment);
};
