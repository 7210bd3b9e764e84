/**
 * Bitbucket Server / Data Center build statuses, through the
 * repository-scoped builds resource (7.14+,
 * https://developer.atlassian.com/server/bitbucket/rest/v807/api-group-builds-and-deployments/):
 * one status per `key` and commit, overwritten by the next POST with that key.
 * Every field is limited to 255 characters (the url to 450). Requests go
 * through Node's fetch: Atlassian publishes no maintained Node client.
 */
import { z } from "zod";
import type { FailureContext } from "../classify";
import { InvalidStatusError } from "../errors";
import { lookupPhase, lookupState } from "../mapping";
import { authorization, requestJson } from "../http";
import {
  credentialFields,
  DEFAULT_TIMEOUT_MS,
  exactlyOneCredential,
  httpUrl,
  parseProviderOptions,
  timeoutMs,
} from "../options";
import { checkTarget, renderFields, repoLabel, shortSha, stableKey, text, truncate } from "../target";
import {
  CommitStatusPhase,
  ProviderKind,
  WriteOutcome,
  type CommitStatusProvider,
  type DesiredStatus,
  type ObservedStatus,
  type ProviderIds,
  type RepoRef,
  type StatusFields,
  type StatusTarget,
  type WrittenStatus,
} from "../types";

/** A repository on this SCM; fields in label order. */
export interface BitbucketServerRepo extends RepoRef {
  readonly kind: "bitbucket-server";
  readonly project: string;
  readonly slug: string;
}
export const BITBUCKET_SERVER_REPO_FIELDS = ["project", "slug"] as const;

export const BitbucketServerState = {
  InProgress: "INPROGRESS",
  Successful: "SUCCESSFUL",
  Failed: "FAILED",
  Cancelled: "CANCELLED",
} as const;
export type BitbucketServerState = (typeof BitbucketServerState)[keyof typeof BitbucketServerState];

const TO_STATE = {
  queued: BitbucketServerState.InProgress,
  in_progress: BitbucketServerState.InProgress,
  success: BitbucketServerState.Successful,
  failure: BitbucketServerState.Failed,
  canceled: BitbucketServerState.Cancelled,
} as const satisfies Record<CommitStatusPhase, BitbucketServerState>;

/** `UNKNOWN`, which only other tools post, has no phase. */
const TO_PHASE: Partial<Record<string, CommitStatusPhase>> = {
  INPROGRESS: CommitStatusPhase.InProgress,
  SUCCESSFUL: CommitStatusPhase.Success,
  FAILED: CommitStatusPhase.Failure,
  CANCELLED: CommitStatusPhase.Canceled,
};

export const phaseToBitbucketServerState = (phase: CommitStatusPhase): BitbucketServerState => lookupState(TO_STATE, phase);

export const bitbucketServerStateToPhase = (state: string): CommitStatusPhase => lookupPhase(TO_PHASE, state, "Bitbucket Server build state");

const FIELD_LIMIT = 255;

/** The key a status name is filed under: the name, or a stable hash-suffixed form past 255 characters. */
export const bitbucketServerKey = (name: string): string => stableKey(name, FIELD_LIMIT);

export const BitbucketServerOptionsSchema = z
  .strictObject({
    /** Server root, e.g. `https://bitbucket.example.com` (with its context path, if any). */
    url: httpUrl("bitbucket-server url"),
    ...credentialFields("bitbucket-server"),
    timeoutMs: timeoutMs("bitbucket-server timeoutMs").optional(),
  })
  .superRefine(exactlyOneCredential("bitbucket-server"));
export type BitbucketServerOptions = z.input<typeof BitbucketServerOptionsSchema>;

interface BuildStatus {
  key: string;
  state: string;
  description?: string | null;
  url?: string | null;
}

export class BitbucketServerProvider implements CommitStatusProvider {
  readonly kind = ProviderKind.BitbucketServer;
  readonly #options: z.output<typeof BitbucketServerOptionsSchema>;

  constructor(options: BitbucketServerOptions) {
    this.#options = parseProviderOptions("bitbucket-server", BitbucketServerOptionsSchema, options);
  }

  stateOf(phase: CommitStatusPhase): string {
    return phaseToBitbucketServerState(phase);
  }

  /** Build status `description`, like `key` and `name`, is at most 255 characters (Bitbucket Data Center REST API, "Build status"). */
  readonly descriptionLimit = FIELD_LIMIT;

  render(status: StatusFields) {
    return renderFields(status, { description: FIELD_LIMIT, details: false });
  }

  async setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    checkTarget<BitbucketServerRepo>(target, "bitbucket-server", BITBUCKET_SERVER_REPO_FIELDS);
    const state = phaseToBitbucketServerState(desired.phase);
    const fields = this.render(desired);
    if (fields.url === "") throw new InvalidStatusError("url", "Bitbucket Server requires a link on every build status");
    const key = bitbucketServerKey(target.name);
    await requestJson(
      {
        method: "POST",
        url: this.#buildsUrl(target.repo, target.sha),
        headers: this.#headers(),
        body: {
          key,
          state,
          url: fields.url,
          name: truncate(target.name, FIELD_LIMIT),
          description: fields.description,
          ...(target.ref ? { ref: target.ref } : {}),
        },
        timeoutMs: this.#timeout(),
      },
      this.#context(target, `writing build status "${key}" on ${shortSha(target.sha)}`),
    );
    // The server answers 204 either way; a key we wrote before is an overwrite.
    const outcome = desired.providerIds?.key === key ? WriteOutcome.Updated : WriteOutcome.Created;
    return { outcome, state, providerIds: { key } };
  }

  async getStatus(target: StatusTarget, known?: ProviderIds): Promise<ObservedStatus | undefined> {
    checkTarget<BitbucketServerRepo>(target, "bitbucket-server", BITBUCKET_SERVER_REPO_FIELDS);
    const key = known?.key ?? bitbucketServerKey(target.name);
    const { status, body } = await requestJson(
      {
        method: "GET",
        url: `${this.#buildsUrl(target.repo, target.sha)}?${new URLSearchParams({ key })}`,
        headers: this.#headers(),
        timeoutMs: this.#timeout(),
      },
      this.#context(target, `reading build status "${key}" of ${shortSha(target.sha)}`),
      [404],
    );
    if (status === 404) return undefined;
    const build = body as BuildStatus;
    const phase = TO_PHASE[build.state];
    return {
      ...(phase ? { phase } : {}),
      state: build.state,
      description: text(build.description),
      url: text(build.url),
      providerIds: { key: build.key },
    };
  }

  #buildsUrl(repo: BitbucketServerRepo, sha: string): string {
    const project = encodeURIComponent(repo.project);
    const slug = encodeURIComponent(repo.slug);
    return `${this.#options.url}/rest/api/latest/projects/${project}/repos/${slug}/commits/${sha}/builds`;
  }

  #headers(): Record<string, string> {
    return { authorization: authorization(this.#options) };
  }

  #timeout(): number {
    return this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  #context(target: StatusTarget, action: string): FailureContext {
    return {
      provider: "bitbucket-server",
      repo: repoLabel(target.repo),
      action,
      permission: "the token or user needs at least Repository read permission (REPO_READ) on the repository",
    };
  }
}
