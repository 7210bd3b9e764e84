import { requireScm, type CommitStatusPhase, type ProviderIds, type RepoRef } from "../scm";

/** What the sync last wrote to the SCM for one CommitStatus: the basis for drift and cancel-on-change. */
export interface SyncRecord {
  gitRepo: string;
  type: string;
  repo: RepoRef;
  label: string;
  sha: string;
  name: string;
  phase: CommitStatusPhase;
  description: string;
  url: string;
  providerIds: ProviderIds;
  generation: number;
}

/** The provider ids as the CRD's `status.provider` declares them (undeclared fields would be pruned). */
export const providerStatus = (type: string, ids: ProviderIds): Record<string, unknown> => requireScm(type).providerStatus(ids);

const condition = (status: "True" | "False", reason: string, message: string, generation: number, now: Date) => ({
  type: "Synced",
  status,
  reason,
  message: message.slice(0, 32_000),
  observedGeneration: generation,
  lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
});

/** The status written back after a successful sync: what the SCM now shows. */
export const syncedStatus = (record: SyncRecord, now: Date, note?: string): Record<string, unknown> => ({
  updatedAt: now.toISOString(),
  isSynced: true,
  syncFailure: null,
  repo: record.label,
  sha: record.sha,
  name: record.name,
  // Empty ones are left out: a merge patch carrying "" for them is refused (422) by the API server.
  ...(record.description ? { description: record.description } : {}),
  phase: record.phase,
  ...(record.url ? { url: record.url } : {}),
  provider: providerStatus(record.type, record.providerIds),
  observedGeneration: record.generation,
  conditions: [condition("True", note ? "DriftCorrected" : "Synced", note ?? `written to ${record.label}`, record.generation, now)],
});

/** The status written back when the resource could not be synced; nothing else is touched. */
export const failedStatus = (message: string, reason: string, generation: number, now: Date): Record<string, unknown> => ({
  updatedAt: now.toISOString(),
  isSynced: false,
  syncFailure: { message },
  observedGeneration: generation,
  conditions: [condition("False", reason, message, generation, now)],
});
