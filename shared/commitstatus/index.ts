export { CommitStatusError, SyncBlockedError, WriteBackConflictError } from "./errors";
export { CommitStatusHandler, isCommitStatusKind, type CommitStatusHandlerOptions } from "./commitstatus-handler";
export { KubeCommitStatusApi, type CommitStatusApi, type CommitStatusPage } from "./kube";
export { providerCache, type CredentialsResolver } from "./providers";
export { parseCommitStatusSpec, resolveGitRepo, type CommitStatusSpec, type ResolvedGitRepo } from "./spec";
export { failedStatus, providerStatus, syncedStatus, type SyncRecord } from "./status";
export { SyncOutcome, syncCommitStatus, type SyncDeps, type SyncResult } from "./sync";
export { resyncCommitStatuses, type ResyncOptions, type ResyncReport } from "./resync";
export { GitRepoHandler, isGitRepoKind, MAX_RESYNCED_PER_EVENT, type GitRepoHandlerOptions } from "./gitrepo";
