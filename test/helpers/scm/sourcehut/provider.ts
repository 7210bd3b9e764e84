/**
 * A provider that exists only in tests: the SCM side is a list in memory, so
 * the test sees every write. It shows what a provider folder holds; a real
 * one talks to its SCM's API instead (see shared/scm/gitea/provider.ts).
 */
import { checkTarget, renderFields, WriteOutcome, type CommitStatusPhase, type CommitStatusProvider, type DesiredStatus, type RepoRef, type StatusFields, type StatusTarget, type WrittenStatus } from "../../../../shared/scm";

export interface SourcehutRepo extends RepoRef {
  readonly kind: "sourcehut";
  readonly owner: string;
  readonly name: string;
}
export const SOURCEHUT_REPO_FIELDS = ["owner", "name"] as const;

/** builds.sr.ht's job states (https://man.sr.ht/builds.sr.ht/api.md). */
const STATES = { queued: "pending", in_progress: "running", success: "success", failure: "failed", canceled: "cancelled" } as const satisfies Record<CommitStatusPhase, string>;

export interface SourcehutWrite {
  readonly target: StatusTarget & { repo: SourcehutRepo };
  readonly state: string;
  readonly fields: StatusFields;
  readonly token: string;
}

export class SourcehutProvider implements CommitStatusProvider {
  readonly kind = "sourcehut";
  readonly descriptionLimit = 100;
  readonly #token: string;
  readonly #writes: SourcehutWrite[];
  #nextId = 1;

  constructor(options: { token: string }, writes: SourcehutWrite[]) {
    this.#token = options.token;
    this.#writes = writes;
  }

  stateOf(phase: CommitStatusPhase): string {
    return STATES[phase];
  }

  render(status: StatusFields) {
    return renderFields(status, { description: this.descriptionLimit, details: false });
  }

  async setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    checkTarget<SourcehutRepo>(target, "sourcehut", SOURCEHUT_REPO_FIELDS);
    const state = this.stateOf(desired.phase);
    this.#writes.push({ target, state, fields: this.render(desired), token: this.#token });
    return { outcome: WriteOutcome.Created, state, providerIds: { statusId: this.#nextId++ } };
  }

  async getStatus(): Promise<undefined> {
    return undefined;
  }
}
