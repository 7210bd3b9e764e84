/**
 * Deployments: a record on the SCM that a commit is being deployed to a
 * named environment, with a trail of statuses as the deployment moves
 * (GitHub Deployments, https://docs.github.com/rest/deployments). The
 * `scm` receiver keeps one per run of a deploy pipeline.
 *
 * Beside the CommitStatusProvider interface rather than in it, as comments
 * are: only some SCMs have deployments, and only the `scm` receiver writes them.
 */
import { UnmappedStateError } from "./errors";
import type { RepoRef } from "./types";

/**
 * Where a deployment stands, in the SCM layer's words; each SCM maps them
 * to its own states. `error`: the deployment could not be carried out (the
 * pipeline's machinery failed); `canceled`: it was stopped before it ended.
 */
export const DeploymentPhase = {
  Queued: "queued",
  InProgress: "in_progress",
  Success: "success",
  Failure: "failure",
  Error: "error",
  Canceled: "canceled",
} as const;
export type DeploymentPhase = (typeof DeploymentPhase)[keyof typeof DeploymentPhase];

const DEPLOYMENT_RANK: Readonly<Record<DeploymentPhase, number>> = { queued: 0, in_progress: 1, success: 2, failure: 2, error: 2, canceled: 2 };

/** Queued < in progress < ended: a deployment's statuses never move back. */
export const deploymentRank = (phase: DeploymentPhase): number => {
  if (!Object.hasOwn(DEPLOYMENT_RANK, phase)) throw new UnmappedStateError("deployment phase", phase);
  return DEPLOYMENT_RANK[phase];
};

/** A deployment of one commit to one environment. */
export interface DeploymentTarget {
  readonly repo: RepoRef;
  /** Full commit id: what is deployed. */
  readonly sha: string;
  /** The environment's name (`production`, `staging`, `review-42`). */
  readonly environment: string;
  readonly description?: string;
  /** Our own reference, kept with the deployment for whoever reads it (the run's id and uid). */
  readonly payload: Readonly<Record<string, string>>;
}

export interface DeploymentStatus {
  readonly phase: DeploymentPhase;
  /** Where the deployment's output is seen: the run's page (`processing.dashboardUrl`). */
  readonly logUrl?: string;
  /** Where the deployed environment is reached. */
  readonly environmentUrl?: string;
  readonly description?: string;
}

export interface DeploymentWriter {
  readonly kind: string;
  /** The longest status description the SCM takes; callers fit theirs to it. */
  readonly descriptionLimit: number;
  /** Creates the deployment; resolves to its id, to remember for its statuses. */
  createDeployment(target: DeploymentTarget): Promise<number>;
  /** Adds a status to deployment `id` of `repo`; resolves to the status's id. */
  setDeploymentStatus(repo: RepoRef, id: number, status: DeploymentStatus): Promise<number>;
}
