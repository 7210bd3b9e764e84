/**
 * A fake Azure DevOps Git statuses API, as documented for api-version 7.1:
 * - `POST|GET {collection}/{project}/_apis/git/repositories/{repositoryId}/commits/{commitId}/statuses`
 *   (https://learn.microsoft.com/rest/api/azure/devops/git/statuses): every
 *   POST adds a status; GET lists them newest first, `latestOnly` keeping the
 *   newest per context (name and genre), `top`/`skip` paging, in `{ count, value }`;
 * - `POST {collection}/{project}/_apis/git/repositories/{repositoryId}/pullRequests/{pullRequestId}/statuses`
 *   (https://learn.microsoft.com/rest/api/azure/devops/git/pull-request-statuses/create);
 * - a PAT as Basic credentials with any user name; a rejected one gets the
 *   sign-in page with 203 unless the client sent `X-TFS-FedAuthRedirect: Suppress`,
 *   which gets a 401; errors as `{ message, typeKey }` with TF codes;
 * - projects and repositories by name (any case) or id; `api-version` required.
 */
import { basicCredentials, FakeScmServer, isFullSha, json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";

export interface FakeAzureDevOpsRepo {
  readonly project: string;
  readonly name: string;
  readonly id: string;
  /** Ids of the pull requests that exist in the repository. */
  readonly pullRequests?: readonly number[];
}

export interface FakeAzureDevOpsOptions {
  /** The path the organization (or Server collection) is served under: `acme`, `tfs/DefaultCollection`. */
  readonly collection: string;
  readonly repos: readonly FakeAzureDevOpsRepo[];
  /** Personal access tokens. */
  readonly tokens: readonly string[];
}

export interface FakeGitStatus {
  id: number;
  /** `project/name` of the repository. */
  repo: string;
  sha?: string;
  pullRequest?: number;
  state: string;
  description: string;
  targetUrl?: string;
  context: { name: string; genre?: string };
  creationDate: string;
}

const STATES = ["notSet", "pending", "succeeded", "failed", "error", "notApplicable"];
const API_VERSIONS = ["5.0", "6.0", "7.0", "7.1"];
const SIGN_IN_PAGE = "<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body></body></html>";

const tfError = (status: number, code: string, message: string, typeKey: string) =>
  new ScmHttpError(status, { $id: "1", innerException: null, message: `${code}: ${message}`, typeName: `Microsoft.TeamFoundation.${typeKey}`, typeKey, errorCode: 0, eventId: 3000 });

export class FakeAzureDevOpsServer extends FakeScmServer {
  /** Commit and pull request statuses, oldest first. */
  readonly statuses: FakeGitStatus[] = [];
  readonly #options: FakeAzureDevOpsOptions;
  #nextId = 1;

  constructor(options: FakeAzureDevOpsOptions) {
    super();
    this.#options = options;
  }

  /** What to give the provider as `organizationUrl`. */
  get organizationUrl(): string {
    return `${this.url}/${this.#options.collection}`;
  }

  protected override authenticate(request: RecordedScmRequest): void {
    const token = basicCredentials(request)?.password;
    if (token && this.#options.tokens.includes(token)) return;
    if (String(request.headers["x-tfs-fedauthredirect"] ?? "").toLowerCase() === "suppress") {
      throw new ScmHttpError(401, "Access Denied: The Personal Access Token used has expired.", { "content-type": "text/plain; charset=utf-8" });
    }
    throw new ScmHttpError(203, SIGN_IN_PAGE, { "content-type": "text/html; charset=utf-8" });
  }

  protected routes(): readonly Route[] {
    const base = `/${this.#options.collection}/{project}/_apis/git/repositories/{repo}`;
    return [
      { method: "POST", template: `${base}/commits/{sha}/statuses`, handler: (r, p) => this.#post(r, p, () => ({ sha: this.#commit(p.sha!) })) },
      { method: "GET", template: `${base}/commits/{sha}/statuses`, handler: (r, p) => this.#list(r, p) },
      { method: "POST", template: `${base}/pullRequests/{id}/statuses`, handler: (r, p) => this.#post(r, p, (repo) => ({ pullRequest: this.#pullRequest(repo, p.id!) })) },
    ];
  }

  /** A status someone else posted (another tool, a person with a PAT): the newest so far. */
  addStatus(status: Omit<FakeGitStatus, "id" | "creationDate">): FakeGitStatus {
    const added = { ...status, id: this.#nextId++, creationDate: nowIso() };
    this.statuses.push(added);
    return added;
  }

  /** The commit's statuses, newest first. */
  statusesOf(repo: string, sha: string): FakeGitStatus[] {
    return this.statuses.filter((s) => s.repo === repo && s.sha === sha).sort((a, b) => b.id - a.id);
  }

  /** The pull request's statuses, newest first. */
  pullRequestStatusesOf(repo: string, pullRequest: number): FakeGitStatus[] {
    return this.statuses.filter((s) => s.repo === repo && s.pullRequest === pullRequest).sort((a, b) => b.id - a.id);
  }

  #repo(request: RecordedScmRequest, params: Record<string, string>): FakeAzureDevOpsRepo {
    const version = request.query["api-version"];
    if (!version) throw tfError(400, "VSS800001", `No api-version was supplied for the ${request.method} request.`, "VssVersionNotSpecifiedException");
    if (!API_VERSIONS.includes(version)) throw tfError(400, "VSS800004", `The requested version "${version}" of the resource is under preview or not supported.`, "VssInvalidPreviewVersionException");
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const repo = this.#options.repos.find((r) => same(r.project, params.project!) && (same(r.name, params.repo!) || same(r.id, params.repo!)));
    if (!repo) {
      throw tfError(404, "TF401019", `The Git repository with name or identifier ${params.repo} does not exist or you do not have permissions for the operation you are attempting.`, "GitRepositoryNotFoundException");
    }
    return repo;
  }

  #commit(sha: string): string {
    if (!isFullSha(sha)) throw tfError(400, "TF401175", `The commit ${sha} is not a full commit id.`, "GitUnresolvableToCommitException");
    return sha;
  }

  #pullRequest(repo: FakeAzureDevOpsRepo, param: string): number {
    const id = Number(param);
    if (!Number.isInteger(id) || !repo.pullRequests?.includes(id)) {
      throw tfError(404, "TF401180", "The requested pull request was not found.", "GitPullRequestNotFoundException");
    }
    return id;
  }

  #post(request: RecordedScmRequest, params: Record<string, string>, where: (repo: FakeAzureDevOpsRepo) => { sha?: string; pullRequest?: number }) {
    const repo = this.#repo(request, params);
    const on = where(repo);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const context = body.context as { name?: unknown; genre?: unknown } | undefined;
    // "The only required field for the status is Context.Name that uniquely identifies the status."
    if (typeof context?.name !== "string" || context.name === "") {
      throw tfError(400, "TF401181", "The status context name cannot be empty.", "InvalidArgumentValueException");
    }
    const state = body.state === undefined ? "notSet" : String(body.state);
    if (!STATES.includes(state)) throw tfError(400, "VSS402305", `Invalid value "${state}" for the state of the status.`, "InvalidArgumentValueException");
    const status: FakeGitStatus = {
      id: this.#nextId++,
      repo: `${repo.project}/${repo.name}`,
      ...on,
      state,
      description: typeof body.description === "string" ? body.description : "",
      ...(typeof body.targetUrl === "string" ? { targetUrl: body.targetUrl } : {}),
      context: { name: context.name, ...(typeof context.genre === "string" ? { genre: context.genre } : {}) },
      creationDate: nowIso(),
    };
    this.statuses.push(status);
    return json(200, this.#json(status));
  }

  #list(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#repo(request, params);
    let statuses = this.statusesOf(`${repo.project}/${repo.name}`, this.#commit(params.sha!));
    if (request.query.latestOnly === "true") {
      const seen = new Set<string>();
      statuses = statuses.filter((s) => {
        const key = `${s.context.genre ?? ""}/${s.context.name}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
    }
    const skip = Number(request.query.skip ?? 0);
    const top = Number(request.query.top ?? 1000);
    const page = statuses.slice(skip, skip + top).map((s) => this.#json(s));
    return json(200, { count: page.length, value: page });
  }

  #json(status: FakeGitStatus) {
    const { repo: _repo, sha: _sha, pullRequest: _pr, creationDate, ...fields } = status;
    return { ...fields, creationDate, updatedDate: creationDate, createdBy: { displayName: "kube-feedback", id: "00000000-0000-0000-0000-000000000001" } };
  }
}
