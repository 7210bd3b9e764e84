/**
 * An in-memory provider for unit tests of the code above this layer (the
 * `scm` receiver, the CommitStatus sync). It behaves like a provider that
 * overwrites by target, hands out ids like GitHub check runs, and lets a
 * test change the "SCM side" (drift) or make the next calls fail.
 * Integration tests use the real providers against test/helpers/fake-scm.
 */
import { InvalidTargetError } from "./errors";
import { renderFields } from "./target";
import {
  COMMIT_STATUS_PHASES,
  ProviderKind,
  WriteOutcome,
  type CommitStatusPhase,
  type CommitStatusProvider,
  type DesiredStatus,
  type ObservedStatus,
  type ProviderIds,
  type StatusFields,
  type StatusTarget,
  type WrittenStatus,
} from "./types";

export interface FakeWrite {
  readonly target: StatusTarget;
  readonly desired: DesiredStatus;
  readonly written: WrittenStatus;
}

interface Stored {
  fields: StatusFields;
  state: string;
  providerIds: ProviderIds;
}

const keyOf = (target: StatusTarget): string => `${JSON.stringify(target.repo)}@${target.sha}#${target.name}`;

export class FakeCommitStatusProvider implements CommitStatusProvider {
  readonly kind: ProviderKind;
  /** Every successful write, oldest first. */
  readonly writes: FakeWrite[] = [];
  /** Every `getStatus` call, oldest first. */
  readonly reads: StatusTarget[] = [];
  readonly #statuses = new Map<string, Stored>();
  readonly #failures: Error[] = [];
  readonly #stateOf: (phase: CommitStatusPhase) => string;
  #nextId = 1;

  /** `stateOf` lets a test mimic a lossy SCM (queued and in_progress both `pending`). */
  constructor(options: { kind?: ProviderKind; stateOf?: (phase: CommitStatusPhase) => string } = {}) {
    this.kind = options.kind ?? ProviderKind.Fake;
    this.#stateOf = options.stateOf ?? ((phase) => phase);
  }

  stateOf(phase: CommitStatusPhase): string {
    return this.#stateOf(phase);
  }

  render(status: StatusFields) {
    return renderFields(status, {});
  }

  /** The next `setStatus`/`getStatus` calls reject with these errors, in order. */
  failNext(...errors: Error[]): void {
    this.#failures.push(...errors);
  }

  async setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    this.#check(target);
    this.#throwInjected();
    const key = keyOf(target);
    const existing = this.#statuses.get(key);
    const remembered = desired.providerIds?.checkRunId;
    const reuse = existing && remembered !== undefined && existing.providerIds.checkRunId === remembered;
    const providerIds: ProviderIds = { checkRunId: reuse ? remembered : this.#nextId++ };
    const state = this.stateOf(desired.phase);
    this.#statuses.set(key, { fields: this.render(desired), state, providerIds });
    const written = { outcome: reuse ? WriteOutcome.Updated : WriteOutcome.Created, state, providerIds };
    this.writes.push({ target, desired, written });
    return written;
  }

  async getStatus(target: StatusTarget): Promise<ObservedStatus | undefined> {
    this.#check(target);
    this.reads.push(target);
    this.#throwInjected();
    const stored = this.#statuses.get(keyOf(target));
    if (!stored) return undefined;
    const { phase: written, ...fields } = this.render(stored.fields);
    // After a drift to a raw state, the phase is whichever maps to it, or none.
    const phase =
      this.stateOf(written) === stored.state ? written : COMMIT_STATUS_PHASES.find((p) => this.stateOf(p) === stored.state);
    return { ...fields, ...(phase ? { phase } : {}), state: stored.state, providerIds: stored.providerIds };
  }

  /** Changes a status on the "SCM side", as a person or another tool would. */
  drift(target: StatusTarget, change: Partial<StatusFields> & { state?: string }): void {
    const stored = this.#statuses.get(keyOf(target));
    if (!stored) throw new Error(`fake scm: no status for ${keyOf(target)} to drift`);
    const { state, ...fields } = change;
    stored.fields = { ...stored.fields, ...fields };
    stored.state = state ?? this.stateOf(stored.fields.phase);
  }

  /** Writes for one target, oldest first. */
  writesFor(target: StatusTarget): FakeWrite[] {
    return this.writes.filter((write) => keyOf(write.target) === keyOf(target));
  }

  #check(target: StatusTarget): void {
    if (!target.name) throw new InvalidTargetError("name", "the status name cannot be empty");
    if (!target.sha) throw new InvalidTargetError("sha", "cannot be empty");
  }

  #throwInjected(): void {
    const error = this.#failures.shift();
    if (error) throw error;
  }
}
