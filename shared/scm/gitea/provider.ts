/**
 * Gitea and Forgejo commit statuses
 * (https://gitea.com/api/swagger#/repository/repoCreateStatus): every POST
 * adds a status; the newest per `context` is the one the UI and branch
 * protection read. Requests go through Node's fetch: Gitea publishes no
 * maintained Node client.
 */
import { z } from "zod";
import type { FailureContext } from "../classify";
import { lookupPhase, lookupState } from "../mapping";
import { authorization, requestJson } from "../http";
import { DEFAULT_TIMEOUT_MS, httpUrl, parseProviderOptions, requiredText, timeoutMs } from "../options";
import { checkTarget, renderFields, repoLabel, shortSha, text } from "../target";
import {
  CommitStatusPhase,
  ProviderKind,
  WriteOutcome,
  type CommitStatusProvider,
  type DesiredStatus,
  type ObservedStatus,
  type RepoRef,
  type StatusFields,
  type StatusTarget,
  type WrittenStatus,
} from "../types";

/** A repository on this SCM; fields in label order. */
export interface GiteaRepo extends RepoRef {
  readonly kind: "gitea";
  readonly owner: string;
  readonly name: string;
}
export const GITEA_REPO_FIELDS = ["owner", "name"] as const;

export const GiteaState = { Pending: "pending", Success: "success", Error: "error", Failure: "failure", Warning: "warning" } as const;
export type GiteaState = (typeof GiteaState)[keyof typeof GiteaState];

const TO_STATE = {
  queued: GiteaState.Pending,
  in_progress: GiteaState.Pending,
  success: GiteaState.Success,
  failure: GiteaState.Failure,
  canceled: GiteaState.Error,
} as const satisfies Record<CommitStatusPhase, GiteaState>;

/** `pending` stands for both queued and in_progress; reading it back gives the earlier one. */
const TO_PHASE: Partial<Record<string, CommitStatusPhase>> = {
  pending: CommitStatusPhase.Queued,
  success: CommitStatusPhase.Success,
  failure: CommitStatusPhase.Failure,
  error: CommitStatusPhase.Canceled,
};

export const phaseToGiteaState = (phase: CommitStatusPhase): GiteaState => lookupState(TO_STATE, phase);

export const giteaStateToPhase = (state: string): CommitStatusPhase => lookupPhase(TO_PHASE, state, "Gitea commit status state");

export const GiteaOptionsSchema = z.strictObject({
  /** Server root, e.g. `https://gitea.example.com` or `https://codeberg.org`. */
  url: httpUrl("gitea url"),
  token: requiredText("gitea token"),
  timeoutMs: timeoutMs("gitea timeoutMs").optional(),
});
export type GiteaOptions = z.input<typeof GiteaOptionsSchema>;

interface GiteaStatus {
  id: number;
  status?: string;
  state?: string;
  context: string;
  description?: string | null;
  target_url?: string | null;
}

const PAGE_SIZE = 50;
const MAX_PAGES = 5;

export class GiteaProvider implements CommitStatusProvider {
  readonly kind = ProviderKind.Gitea;
  readonly #options: z.output<typeof GiteaOptionsSchema>;

  constructor(options: GiteaOptions) {
    this.#options = parseProviderOptions("gitea", GiteaOptionsSchema, options);
  }

  stateOf(phase: CommitStatusPhase): string {
    return phaseToGiteaState(phase);
  }

  render(status: StatusFields) {
    return renderFields(status, { details: false });
  }

  async setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    checkTarget<GiteaRepo>(target, "gitea", GITEA_REPO_FIELDS);
    const state = phaseToGiteaState(desired.phase);
    const fields = this.render(desired);
    const { body } = await requestJson(
      {
        method: "POST",
        url: `${this.#repoUrl(target.repo)}/statuses/${target.sha}`,
        headers: this.#headers(),
        body: { state, context: target.name, description: fields.description, target_url: fields.url },
        timeoutMs: this.#timeout(),
      },
      this.#context(target, `writing status "${target.name}" on ${shortSha(target.sha)}`),
    );
    return { outcome: WriteOutcome.Created, state, providerIds: { statusId: (body as GiteaStatus).id } };
  }

  async getStatus(target: StatusTarget): Promise<ObservedStatus | undefined> {
    checkTarget<GiteaRepo>(target, "gitea", GITEA_REPO_FIELDS);
    const context = this.#context(target, `reading statuses of ${shortSha(target.sha)}`);
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = new URLSearchParams({ sort: "highestindex", limit: String(PAGE_SIZE), page: String(page) });
      const { body } = await requestJson(
        { method: "GET", url: `${this.#repoUrl(target.repo)}/commits/${target.sha}/statuses?${query}`, headers: this.#headers(), timeoutMs: this.#timeout() },
        context,
      );
      const statuses = Array.isArray(body) ? (body as GiteaStatus[]) : [];
      const mine = statuses.filter((status) => status.context === target.name).sort((a, b) => b.id - a.id)[0];
      if (mine) return this.#observed(mine);
      if (statuses.length < PAGE_SIZE) return undefined;
    }
    return undefined;
  }

  #observed(status: GiteaStatus): ObservedStatus {
    const state = status.status ?? status.state ?? "";
    const phase = TO_PHASE[state];
    return {
      ...(phase ? { phase } : {}),
      state,
      description: text(status.description),
      url: text(status.target_url),
      providerIds: { statusId: status.id },
    };
  }

  #repoUrl(repo: GiteaRepo): string {
    return `${this.#options.url}/api/v1/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
  }

  #headers(): Record<string, string> {
    return { authorization: authorization({ token: this.#options.token }, "token") };
  }

  #timeout(): number {
    return this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  #context(target: StatusTarget, action: string): FailureContext {
    return {
      provider: "gitea",
      repo: repoLabel(target.repo),
      action,
      permission: "the token needs the write:repository scope and write access to the repository",
    };
  }
}
