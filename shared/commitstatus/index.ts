export { CommitStatusError, GitRepoPendingError, SyncBlockedError, WriteBackConflictError } from "./errors";
export { CommitStatusHandler, isCommitStatusKind, type CommitStatusHandlerOptions } from "./commitstatus-handler";
export {
  KubeCommitStatusApi,
  type CommitStatusApi,
  type CommitStatusPage,
  type CommitStatusTarget,
  type DirectCommitStatusApi,
  type RelayedCommitStatusApi,
} from "./kube";
export { GitRepoCache, type GitRepoItem, type GitRepoLookup } from "./gitrepo-cache";
export { RELAY_ANSWER_DEFAULTS, RelayCommitStatusApi, type RelayCommitStatusApiOptions } from "./relayed";
export { providerCache, type CredentialsResolver } from "./providers";
export { parseCommitStatusSpec, resolveGitRepo, type CommitStatusSpec, type ResolvedGitRepo } from "./spec";
export { failedStatus, providerStatus, syncedStatus, type SyncRecord } from "./status";
export { SyncOutcome, syncCommitStatus, type SyncDeps, type SyncResult } from "./sync";
export { resyncCommitStatuses, type ResyncOptions, type ResyncReport } from "./resync";
export { GitRepoHandler, isGitRepoKind, MAX_RESYNCED_PER_EVENT, type GitRepoHandlerOptions } from "./gitrepo";
