import type { KubeObject } from "../envelope";
import type { Log } from "../log";
import { CommitStatusPhase, statusDiff, type CommitStatusProvider, type StatusFields } from "../scm";
import type { CommitStatusApi } from "./kube";
import { ACTIVE_PHASES, parseCommitStatusSpec, resolveGitRepo, type ResolvedGitRepo } from "./spec";
import { SyncBlockedError } from "./errors";
import type { SyncRecord } from "./status";

export interface SyncDeps {
  api: CommitStatusApi;
  /** The provider for a GitRepo, with its credentials resolved (cached per cold start by the caller). */
  providerFor(gitRepo: ResolvedGitRepo): Promise<CommitStatusProvider>;
  log: Log;
}

export const SyncOutcome = {
  /** Nothing to do: the SCM and the status already show the spec. */
  Skip: "skip",
  /** Cannot sync as it stands (invalid spec, missing GitRepo or credentials): report, do not retry. */
  Blocked: "blocked",
  /** Drift found on a `driftPolicy: report` GitRepo: report, write nothing. */
  DriftReported: "drift-reported",
  /** Written to the SCM: store the record, then write the status back. */
  Written: "written",
  /** The SCM is up to date but the status is not (an earlier write-back failed): write it back. */
  WriteBack: "write-back",
} as const;

export type SyncResult =
  | { kind: typeof SyncOutcome.Skip; reason: string }
  | { kind: typeof SyncOutcome.Blocked; message: string; reason: string }
  | { kind: typeof SyncOutcome.DriftReported; message: string }
  | { kind: typeof SyncOutcome.Written; record: SyncRecord; drift?: string }
  | { kind: typeof SyncOutcome.WriteBack; record: SyncRecord };

const fieldsOf = (r: Pick<SyncRecord, "phase" | "description" | "url">): StatusFields => ({
  phase: r.phase,
  description: r.description,
  url: r.url,
});

/** `drift: phase changed in the SCM (success → failure)`: names each differing field. */
const driftMessage = (fields: string[], last: SyncRecord, observed: { state: string; description: string; url: string }): string =>
  `drift: ${fields
    .map((f) =>
      f === "phase"
        ? `phase changed in the SCM (${last.phase} → ${observed.state})`
        : f === "description"
          ? `description changed in the SCM (${JSON.stringify(last.description)} → ${JSON.stringify(observed.description)})`
          : f === "url"
            ? `url changed in the SCM (${last.url} → ${observed.url})`
            : `${f} changed in the SCM`,
    )
    .join("; ")}`;

/**
 * One-way sync of a CommitStatus to its SCM (Kubernetes owns the status).
 * `record` is what was last written; `force` re-checks the SCM for drift even
 * when nothing changed (the scheduled resync).
 */
export const syncCommitStatus = async (
  object: KubeObject,
  record: SyncRecord | undefined,
  deps: SyncDeps,
  force = false,
): Promise<SyncResult> => {
  const generation = object.metadata.generation ?? 0;
  if (record && generation < record.generation) return { kind: SyncOutcome.Skip, reason: "older generation" };
  const namespace = object.metadata.namespace ?? "default";
  let spec;
  let gitRepo: ResolvedGitRepo;
  try {
    spec = parseCommitStatusSpec(object.spec);
    const found = await deps.api.getGitRepo(namespace, spec.gitRepoRef.name);
    if (!found) throw new SyncBlockedError("spec.gitRepoRef.name", `GitRepo ${namespace}/${spec.gitRepoRef.name} not found`);
    gitRepo = resolveGitRepo(`${namespace}/${spec.gitRepoRef.name}`, found.spec, spec.gitRepoRef.name, namespace);
    // Through the relay the process side reaches no API server, so it cannot read a Secret in the cluster.
    if (deps.api.via === "relay" && gitRepo.credentials.startsWith("k8s:")) {
      throw new SyncBlockedError(
        `GitRepo ${namespace}/${spec.gitRepoRef.name} spec.credentialsRef.secretKeyRef`,
        "cannot be read when the cluster is reached via: relay (the process side has no access to it): use ssmParameter or secretsManagerArn",
      );
    }
  } catch (error) {
    if (error instanceof SyncBlockedError) return { kind: SyncOutcome.Blocked, message: error.message, reason: "InvalidSpec" };
    throw error;
  }
  const desired = { phase: spec.phase, description: spec.description ?? "", url: spec.url ?? "" };
  const sameTarget = !!record && record.label === gitRepo.label && record.sha === spec.sha && record.name === spec.name;
  const status = (object.status ?? {}) as { observedGeneration?: number; isSynced?: boolean; phase?: string; sha?: string };
  const upToDate = sameTarget && statusDiff(fieldsOf(record), desired).length === 0;
  const reflected = status.observedGeneration === generation && status.isSynced === true && status.phase === spec.phase && status.sha === spec.sha;
  if (upToDate && !force) {
    return reflected ? { kind: SyncOutcome.Skip, reason: "in sync" } : { kind: SyncOutcome.WriteBack, record: { ...record, generation } };
  }

  let provider: CommitStatusProvider;
  try {
    provider = await deps.providerFor(gitRepo);
  } catch (error) {
    if (error instanceof SyncBlockedError) return { kind: SyncOutcome.Blocked, message: error.message, reason: "CredentialsUnavailable" };
    throw error;
  }

  if (record && !sameTarget && ACTIVE_PHASES.has(record.phase)) await cancelOld(record, namespace, spec.sha, gitRepo, provider, deps);

  let drift: string | undefined;
  if (sameTarget) {
    const observed = await provider.getStatus({ repo: record.repo, sha: record.sha, name: record.name }, record.providerIds);
    const fields = observed ? statusDiff(fieldsOf(record), observed, provider) : ["phase"];
    if (fields.length > 0) {
      drift = observed ? driftMessage(fields, record, observed) : "drift: the status was removed from the SCM";
      if (gitRepo.driftPolicy === "report") return { kind: SyncOutcome.DriftReported, message: drift };
    } else if (upToDate) {
      return reflected ? { kind: SyncOutcome.Skip, reason: "in sync" } : { kind: SyncOutcome.WriteBack, record: { ...record, generation } };
    }
  }

  const written = await provider.setStatus(
    { repo: gitRepo.repo, sha: spec.sha, name: spec.name },
    { ...desired, ...(sameTarget ? { providerIds: record.providerIds } : {}) },
  );
  const next: SyncRecord = {
    gitRepo: spec.gitRepoRef.name,
    type: gitRepo.type,
    repo: gitRepo.repo,
    label: gitRepo.label,
    sha: spec.sha,
    name: spec.name,
    ...desired,
    providerIds: written.providerIds,
    generation,
  };
  return { kind: SyncOutcome.Written, record: next, ...(drift ? { drift: `${drift} (overwritten)` } : {}) };
};

/**
 * A status left queued or in progress on a commit the resource no longer
 * points at would stay yellow forever: cancel it first. Best effort — a
 * failure is logged and the new status is written anyway.
 */
const cancelOld = async (
  record: SyncRecord,
  namespace: string,
  newSha: string,
  gitRepo: ResolvedGitRepo,
  current: CommitStatusProvider,
  deps: SyncDeps,
): Promise<void> => {
  try {
    const provider = await previousProvider(record, namespace, gitRepo, current, deps);
    await provider.setStatus(
      { repo: record.repo, sha: record.sha, name: record.name },
      {
        phase: CommitStatusPhase.Canceled,
        description: `superseded by ${newSha.slice(0, 12)}`,
        url: record.url,
        providerIds: record.providerIds,
      },
    );
  } catch (error) {
    deps.log.warn("could not cancel the status of the previous commit", {
      repo: record.label,
      sha: record.sha,
      error: (error as Error).message,
    });
  }
};

/**
 * The provider for the repository a record was written to: its own GitRepo
 * if it still exists under that name and still points there, else the
 * current provider when it is the same kind of SCM (an edited GitRepo).
 */
const previousProvider = async (
  record: SyncRecord,
  namespace: string,
  gitRepo: ResolvedGitRepo,
  current: CommitStatusProvider,
  deps: SyncDeps,
): Promise<CommitStatusProvider> => {
  if (record.label === gitRepo.label) return current;
  if (record.gitRepo !== gitRepo.name) {
    const found = await deps.api.getGitRepo(namespace, record.gitRepo);
    const old = found ? resolveGitRepo(`${namespace}/${record.gitRepo}`, found.spec, record.gitRepo, namespace) : undefined;
    if (old && old.label === record.label) return deps.providerFor(old);
  }
  if (record.type === gitRepo.type) return current;
  throw new SyncBlockedError("", `no GitRepo reaches the previous repository ${record.label} any more`);
};
