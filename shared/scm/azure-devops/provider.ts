/**
 * Azure DevOps Services and Server Git statuses
 * (https://learn.microsoft.com/rest/api/azure/devops/git/statuses/create):
 * every POST adds a status to the commit, and the newest per context
 * (`genre` + `name`) is the one the UI and branch policies read. When the
 * run builds a pull request, the same status also goes to the request
 * (https://learn.microsoft.com/rest/api/azure/devops/git/pull-request-statuses/create),
 * where a status policy can require it; that one is filed on the request as
 * a whole, not on one of its iterations, and is likewise replaced by the next
 * post with the same context. Requests go through Node's fetch: the official
 * azure-devops-node-api asks the server where each route lives (an OPTIONS
 * request) before the call and retries on its own, while this layer makes one
 * attempt per call and leaves retries to the queue.
 */
import { z } from "zod";
import { toScmError, type FailureContext } from "../classify";
import { authorization, requestJson, type JsonRequest } from "../http";
import { lookupPhase, lookupState } from "../mapping";
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
import { organizationOf } from "./organization";

/** A repository in the receiver's organization; fields in label order. The repository is its name or id. */
export interface AzureDevOpsRepo extends RepoRef {
  readonly kind: "azure-devops";
  readonly project: string;
  readonly repository: string;
}
export const AZURE_DEVOPS_REPO_FIELDS = ["project", "repository"] as const;

/** GitStatusState (https://learn.microsoft.com/rest/api/azure/devops/git/statuses/create#gitstatusstate). */
export const AzureDevOpsState = {
  NotSet: "notSet",
  Pending: "pending",
  Succeeded: "succeeded",
  Failed: "failed",
  Error: "error",
  NotApplicable: "notApplicable",
} as const;
export type AzureDevOpsState = (typeof AzureDevOpsState)[keyof typeof AzureDevOpsState];

/**
 * Azure DevOps has no "running" and no "cancelled": both waiting phases are
 * `pending`, and a cancelled run is `error` ("the check could not complete",
 * as GitHub and Gitea statuses say it) rather than `failed`, which would
 * claim the change is bad. Never `notApplicable`: it tells a status policy
 * the check does not apply, and a cancelled run must not satisfy a policy
 * that requires it (https://learn.microsoft.com/azure/devops/repos/git/pull-request-status#status-policy).
 */
const TO_STATE = {
  queued: AzureDevOpsState.Pending,
  in_progress: AzureDevOpsState.Pending,
  success: AzureDevOpsState.Succeeded,
  failure: AzureDevOpsState.Failed,
  canceled: AzureDevOpsState.Error,
} as const satisfies Record<CommitStatusPhase, AzureDevOpsState>;

/** `pending` reads back as the earlier phase; `notSet` and `notApplicable`, which only others post, have none. */
const TO_PHASE: Partial<Record<string, CommitStatusPhase>> = {
  pending: CommitStatusPhase.Queued,
  succeeded: CommitStatusPhase.Success,
  failed: CommitStatusPhase.Failure,
  error: CommitStatusPhase.Canceled,
};

export const phaseToAzureDevOpsState = (phase: CommitStatusPhase): AzureDevOpsState => lookupState(TO_STATE, phase);

export const azureDevOpsStateToPhase = (state: string): CommitStatusPhase => lookupPhase(TO_PHASE, state, "Azure DevOps status state");

/** Every status we post has this genre; the status name is the context's `name`, so the UI shows `kube-feedback/<name>`. */
export const STATUS_GENRE = "kube-feedback";

/**
 * 7.1 on Services; a Server speaks the version of its release (2019: 5.0,
 * 2020: 6.0, 2022: 7.0, https://learn.microsoft.com/azure/devops/integrate/concepts/rest-api-versioning).
 * The statuses resources are the same in all of them.
 */
export const API_VERSIONS = ["5.0", "6.0", "7.0", "7.1"] as const;
export const DEFAULT_API_VERSION = "7.1";

export const AzureDevOpsOptionsSchema = z.strictObject({
  /** `https://dev.azure.com/{organization}`, `https://{organization}.visualstudio.com` or a Server collection. */
  organizationUrl: httpUrl("azure-devops organizationUrl").superRefine((value, ctx) => {
    const organization = organizationOf(value);
    if (typeof organization === "string") ctx.addIssue({ code: "custom", message: `azure-devops organizationUrl ${organization}` });
  }),
  /** A personal access token with the Code (status) scope, sent as Basic with an empty user. */
  token: requiredText("azure-devops token"),
  apiVersion: z.enum(API_VERSIONS, { error: `azure-devops apiVersion must be one of ${API_VERSIONS.join(", ")}` }).optional(),
  timeoutMs: timeoutMs("azure-devops timeoutMs").optional(),
});
export type AzureDevOpsOptions = z.input<typeof AzureDevOpsOptionsSchema>;

interface GitStatus {
  id: number;
  state?: string;
  description?: string | null;
  targetUrl?: string | null;
  context?: { name?: string; genre?: string | null };
}

const PAGE_SIZE = 1000;
const MAX_PAGES = 3;

export class AzureDevOpsProvider implements CommitStatusProvider {
  readonly kind = ProviderKind.AzureDevOps;
  readonly #options: z.output<typeof AzureDevOpsOptionsSchema>;

  constructor(options: AzureDevOpsOptions) {
    this.#options = parseProviderOptions("azure-devops", AzureDevOpsOptionsSchema, options);
  }

  stateOf(phase: CommitStatusPhase): string {
    return phaseToAzureDevOpsState(phase);
  }

  render(status: StatusFields) {
    return renderFields(status, { details: false });
  }

  async setStatus(target: StatusTarget, desired: DesiredStatus): Promise<WrittenStatus> {
    checkTarget<AzureDevOpsRepo>(target, "azure-devops", AZURE_DEVOPS_REPO_FIELDS);
    const state = phaseToAzureDevOpsState(desired.phase);
    const fields = this.render(desired);
    const body = {
      state,
      description: fields.description,
      ...(fields.url ? { targetUrl: fields.url } : {}),
      context: { name: target.name, genre: STATUS_GENRE },
    };
    const written = await this.#request(
      { method: "POST", url: this.#url(target.repo, `commits/${target.sha}/statuses`), body },
      this.#context(target, `writing status "${target.name}" on ${shortSha(target.sha)}`),
    );
    // The commit's status first: it is what the CommitStatus and every later pull request see.
    if (target.pullRequest !== undefined) {
      await this.#request(
        { method: "POST", url: this.#url(target.repo, `pullRequests/${target.pullRequest}/statuses`), body },
        this.#context(target, `writing status "${target.name}" on pull request ${target.pullRequest}`),
      );
    }
    return { outcome: WriteOutcome.Created, state, providerIds: { statusId: (written as GitStatus).id } };
  }

  async getStatus(target: StatusTarget): Promise<ObservedStatus | undefined> {
    checkTarget<AzureDevOpsRepo>(target, "azure-devops", AZURE_DEVOPS_REPO_FIELDS);
    const context = this.#context(target, `reading statuses of ${shortSha(target.sha)}`);
    for (let page = 0; page < MAX_PAGES; page++) {
      // `latestOnly` groups by context and keeps the newest of each, as the UI reads them.
      const query = { latestOnly: "true", top: String(PAGE_SIZE), skip: String(page * PAGE_SIZE) };
      const body = await this.#request({ method: "GET", url: this.#url(target.repo, `commits/${target.sha}/statuses`, query) }, context);
      const statuses = Array.isArray((body as { value?: unknown })?.value) ? ((body as { value: GitStatus[] }).value) : [];
      const mine = statuses
        .filter((status) => status.context?.name === target.name && status.context?.genre === STATUS_GENRE)
        .sort((a, b) => b.id - a.id)[0];
      if (mine) return this.#observed(mine);
      if (statuses.length < PAGE_SIZE) return undefined;
    }
    return undefined;
  }

  #observed(status: GitStatus): ObservedStatus {
    const state = status.state ?? "";
    const phase = Object.hasOwn(TO_PHASE, state) ? TO_PHASE[state] : undefined;
    return {
      ...(phase ? { phase } : {}),
      state,
      description: text(status.description),
      url: text(status.targetUrl),
      providerIds: { statusId: status.id },
    };
  }

  /**
   * One request. `X-TFS-FedAuthRedirect: Suppress` asks for a 401 instead of
   * the sign-in page; a 203 is that page all the same (Azure DevOps' answer
   * to a token it does not accept), so it is refused as a 401 would be.
   */
  async #request(request: Pick<JsonRequest, "method" | "url" | "body">, context: FailureContext): Promise<unknown> {
    const headers = { authorization: authorization({ username: "", password: this.#options.token }), "x-tfs-fedauthredirect": "Suppress" };
    const response = await requestJson({ ...request, headers, timeoutMs: this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS }, context);
    if (response.status === 203 || (response.body !== undefined && typeof response.body !== "object")) {
      throw toScmError({ status: 401, headers: response.headers, message: `answered ${response.status} with a sign-in page instead of JSON` }, context);
    }
    return response.body;
  }

  #url(repo: AzureDevOpsRepo, resource: string, query: Record<string, string> = {}): string {
    const params = new URLSearchParams({ "api-version": this.#options.apiVersion ?? DEFAULT_API_VERSION, ...query });
    const path = `${encodeURIComponent(repo.project)}/_apis/git/repositories/${encodeURIComponent(repo.repository)}/${resource}`;
    return `${this.#options.organizationUrl}/${path}?${params}`;
  }

  #context(target: StatusTarget, action: string): FailureContext {
    return {
      provider: "azure-devops",
      repo: repoLabel(target.repo),
      action,
      permission: "the token needs the Code (status) scope (vso.code_status) and read access to the repository",
    };
  }
}
