/**
 * Bitbucket Cloud build statuses
 * (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-commit-statuses/):
 * one status per `key` and commit, and posting the same key again
 * overwrites it. Keys are limited to 40 characters, so longer status names
 * are hashed into a stable key. Requests go through Node's fetch: Atlassian
 * publishes no maintained Node client for this API.
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
export interface BitbucketCloudRepo extends RepoRef {
  readonly kind: "bitbucket-cloud";
  readonly workspace: string;
  readonly slug: string;
}
export const BITBUCKET_CLOUD_REPO_FIELDS = ["workspace", "slug"] as const;

export const BitbucketCloudState = {
  InProgress: "INPROGRESS",
  Successful: "SUCCESSFUL",
  Failed: "FAILED",
  Stopped: "STOPPED",
} as const;
export type BitbucketCloudState = (typeof BitbucketCloudState)[keyof typeof BitbucketCloudState];

const TO_STATE = {
  queued: BitbucketCloudState.InProgress,
  in_progress: BitbucketCloudState.InProgress,
  success: BitbucketCloudState.Successful,
  failure: BitbucketCloudState.Failed,
  canceled: BitbucketCloudState.Stopped,
} as const satisfies Record<CommitStatusPhase, BitbucketCloudState>;

const TO_PHASE: Partial<Record<string, CommitStatusPhase>> = {
  INPROGRESS: CommitStatusPhase.InProgress,
  SUCCESSFUL: CommitStatusPhase.Success,
  FAILED: CommitStatusPhase.Failure,
  STOPPED: CommitStatusPhase.Canceled,
};

export const phaseToBitbucketCloudState = (phase: CommitStatusPhase): BitbucketCloudState => lookupState(TO_STATE, phase);

export const bitbucketCloudStateToPhase = (state: string): CommitStatusPhase => lookupPhase(TO_PHASE, state, "Bitbucket Cloud build state");

/** Bitbucket Cloud rejects keys longer than this. */
export const BITBUCKET_CLOUD_KEY_LIMIT = 40;
const NAME_LIMIT = 255;

/** The key a status name is filed under: the name itself, or a stable hash-suffixed form when too long. */
export const bitbucketCloudKey = (name: string): string => stableKey(name, BITBUCKET_CLOUD_KEY_LIMIT);

export const BitbucketCloudOptionsSchema = z
  .strictObject({
    /** API root; defaults to `https://api.bitbucket.org`. */
    baseUrl: httpUrl("bitbucket-cloud baseUrl").optional(),
    ...credentialFields("bitbucket-cloud"),
    timeoutMs: timeoutMs("bitbucket-cloud timeoutMs").optional(),
  })
  .superRefine(exactlyOneCredential("bitbucket-cloud"));
export type BitbucketCloudOptions = z.input<typeof BitbucketCloudOptionsSchema>;

interface BuildStatus {
  key: string;
  state: string;
  name?: string;
  description?: string | null;
  url?: string | null;
}

export class BitbucketCloudProvider implements CommitStatusProvider {
  readonly kind = ProviderKind.BitbucketCloud;
  readonly #options: z.output<typeof BitbucketCloudOptionsSchema>;

  constructor(options: BitbucketCloudOptions) {
    this.#options = parseProviderOptions("bitbucket-cloud", BitbucketCloudOptionsSchema, options);
  }

  stateOf(phase: CommitStatusPhase): string {
    return phaseToBitbucketCloudState(phase);
  }

  render(status: StatusFields) {
    return renderFields(status, { details: false });
  }

  async setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    checkTarget<BitbucketCloudRepo>(target, "bitbucket-cloud", BITBUCKET_CLOUD_REPO_FIELDS);
    const state = phaseToBitbucketCloudState(desired.phase);
    const fields = this.render(desired);
    if (fields.url === "") throw new InvalidStatusError("url", "Bitbucket Cloud requires a link on every build status");
    const key = bitbucketCloudKey(target.name);
    const { status } = await requestJson(
      {
        method: "POST",
        url: `${this.#commitUrl(target.repo, target.sha)}/statuses/build`,
        headers: this.#headers(),
        body: {
          key,
          state,
          name: truncate(target.name, NAME_LIMIT),
          description: fields.description,
          url: fields.url,
          ...(target.ref ? { refname: target.ref } : {}),
        },
        timeoutMs: this.#timeout(),
      },
      this.#context(target, `writing build status "${key}" on ${shortSha(target.sha)}`),
    );
    // 201 for a new key, 200 when the key was overwritten.
    return { outcome: status === 201 ? WriteOutcome.Created : WriteOutcome.Updated, state, providerIds: { key } };
  }

  async getStatus(target: StatusTarget, known?: ProviderIds): Promise<ObservedStatus | undefined> {
    checkTarget<BitbucketCloudRepo>(target, "bitbucket-cloud", BITBUCKET_CLOUD_REPO_FIELDS);
    const key = known?.key ?? bitbucketCloudKey(target.name);
    const { status, body } = await requestJson(
      {
        method: "GET",
        url: `${this.#commitUrl(target.repo, target.sha)}/statuses/build/${encodeURIComponent(key)}`,
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

  #commitUrl(repo: BitbucketCloudRepo, sha: string): string {
    const base = this.#options.baseUrl ?? "https://api.bitbucket.org";
    return `${base}/2.0/repositories/${encodeURIComponent(repo.workspace)}/${encodeURIComponent(repo.slug)}/commit/${sha}`;
  }

  #headers(): Record<string, string> {
    return { authorization: authorization(this.#options) };
  }

  #timeout(): number {
    return this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  #context(target: StatusTarget, action: string): FailureContext {
    return {
      provider: "bitbucket-cloud",
      repo: repoLabel(target.repo),
      action,
      permission: "the credentials need read and write access to the repository (scopes repository and repository:write)",
    };
  }
}
