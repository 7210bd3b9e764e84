import { syncedStatus, type SyncDeps, type SyncRecord } from "../../shared/commitstatus";
import type { KubeObject } from "../../shared/envelope";
import { FakeCommitStatusProvider, type CommitStatusProvider } from "../../shared/scm";
import { SILENT_LOG } from "./handler-context";
import { MemoryCommitStatusApi } from "./memory-commit-status-api";

export const SHA_A = "3f786850e387550fdab836ed7e6dc881de23001b";
export const SHA_B = "89e6c98d92887913cadf06b2adb97f26cde4849b";
export const NAMESPACE = "apps";

/** A GitRepo spec for github.com/acme/<repo>. */
export const gitRepoSpec = (repo = "shop", driftPolicy: "overwrite" | "report" = "overwrite") => ({
  github: { owner: "acme", name: repo },
  credentialsRef: { ssmParameter: "/kube-feedback/github" },
  driftPolicy,
});

export interface CommitStatusFields {
  generation?: number;
  gitRepo?: string;
  sha?: string;
  phase?: string;
  description?: string;
  /** The status the last write-back left on the resource. */
  status?: Record<string, unknown>;
}

/** The CommitStatus `deploy` as Argo CD's hook would write it. */
export const commitStatus = (fields: CommitStatusFields = {}): KubeObject => ({
  apiVersion: "commit-status.argoproj.io/v1alpha1",
  kind: "CommitStatus",
  metadata: { name: "deploy", namespace: NAMESPACE, uid: "cs-1", generation: fields.generation ?? 1 },
  spec: {
    gitRepoRef: { name: fields.gitRepo ?? "shop" },
    sha: fields.sha ?? SHA_A,
    name: "deploy/shop",
    description: fields.description ?? "rolling out",
    phase: fields.phase ?? "in_progress",
    url: "https://argocd.example.com/applications/shop",
  },
  ...(fields.status ? { status: fields.status } : {}),
});

/** The status the handler writes back after `record` was written. */
export const reflected = (record: SyncRecord): Record<string, unknown> => syncedStatus(record, new Date("2026-11-20T10:00:00Z"));

/**
 * Sync dependencies in memory: a GitRepo `shop` on github.com/acme/shop, one
 * fake provider per repository label, every provider request and warning recorded.
 */
export const syncDeps = (driftPolicy: "overwrite" | "report" = "overwrite") => {
  const api = new MemoryCommitStatusApi().withGitRepo(NAMESPACE, "shop", gitRepoSpec("shop", driftPolicy));
  const providers = new Map<string, FakeCommitStatusProvider>();
  const providerRequests: string[] = [];
  const warnings: Array<{ message: string; fields: unknown }> = [];
  const provider = (label: string): FakeCommitStatusProvider => {
    let found = providers.get(label);
    if (!found) providers.set(label, (found = new FakeCommitStatusProvider()));
    return found;
  };
  const deps: SyncDeps = {
    api,
    providerFor: async (gitRepo): Promise<CommitStatusProvider> => {
      providerRequests.push(gitRepo.label);
      return provider(gitRepo.label);
    },
    log: { ...SILENT_LOG, warn: (message: string, fields?: unknown) => void warnings.push({ message, fields }) } as SyncDeps["log"],
  };
  return { api, deps, provider, providerRequests, warnings };
};
