/**
 * Commit statuses for the fake GitHub: create, list for a ref and the
 * combined status, as `https://docs.github.com/rest/commits/statuses`
 * describes them, with GitHub's 422 for a description over 140 characters
 * and for the 1001st status of one context on one commit. Requests still
 * go through the server's OpenAPI check first.
 */
import { isFullSha, json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";

export interface FakeCommitStatus {
  id: number;
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
}

/** GitHub keeps at most this many statuses per commit and context. */
const STATUS_LIMIT = 1000;

export interface StatusRouteDeps {
  /** Route prefix (`/api/v3` for GitHub Enterprise). */
  readonly prefix: string;
  readonly apiUrl: () => string;
  readonly nextId: () => number;
  /** Checks the caller may use the repository for commit statuses; returns `owner/repo`. */
  readonly authorize: (request: RecordedScmRequest, params: Record<string, string>) => string;
}

export const invalid = (message: string) => new ScmHttpError(422, { message: "Validation Failed", errors: [{ message }], status: "422" });

export class FakeGitHubStatuses {
  readonly statuses: FakeCommitStatus[] = [];
  readonly #deps: StatusRouteDeps;

  constructor(deps: StatusRouteDeps) {
    this.#deps = deps;
  }

  routes(): Route[] {
    const p = this.#deps.prefix;
    return [
      { method: "POST", template: `${p}/repos/{owner}/{repo}/statuses/{sha}`, handler: (r, params) => this.#create(r, params) },
      { method: "GET", template: `${p}/repos/{owner}/{repo}/commits/{ref}/statuses`, handler: (r, params) => this.#list(r, params) },
      { method: "GET", template: `${p}/repos/{owner}/{repo}/commits/{ref}/status`, handler: (r, params) => this.#combined(r, params) },
    ];
  }

  /** The newest status of each context on `sha` of `repo`. */
  latestOf(repo: string, sha: string): FakeCommitStatus[] {
    const all = this.#of(repo, sha);
    return all.filter((status, index) => all.findIndex((s) => s.context === status.context) === index);
  }

  #create(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#deps.authorize(request, params);
    const sha = params.sha!;
    if (!isFullSha(sha)) throw invalid(`No commit found for SHA: ${sha}`);
    const body = (request.body ?? {}) as Record<string, string | null | undefined>;
    if ((body.description ?? "").length > 140) throw invalid("description is too long (maximum is 140 characters)");
    const context = body.context ?? "default";
    const count = this.statuses.filter((s) => s.repo === repo && s.sha === sha && s.context === context).length;
    if (count >= STATUS_LIMIT) throw invalid("This SHA and context has reached the maximum number of statuses.");
    const status: FakeCommitStatus = {
      id: this.#deps.nextId(),
      repo,
      sha,
      state: String(body.state),
      context,
      description: body.description ?? null,
      target_url: body.target_url ?? null,
      created_at: nowIso(),
    };
    this.statuses.push(status);
    return json(201, this.#json(status));
  }

  #of(repo: string, sha: string): FakeCommitStatus[] {
    return this.statuses.filter((status) => status.repo === repo && status.sha === sha).sort((a, b) => b.id - a.id);
  }

  #list(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#deps.authorize(request, params);
    return json(200, this.#of(repo, params.ref!).map((status) => this.#json(status)));
  }

  #combined(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#deps.authorize(request, params);
    const latest = this.latestOf(repo, params.ref!);
    const perPage = Number(request.query.per_page ?? 30);
    const page = Number(request.query.page ?? 1);
    const states = latest.map((status) => status.state);
    const state = states.some((s) => s === "failure" || s === "error") ? "failure" : states.some((s) => s === "pending") || states.length === 0 ? "pending" : "success";
    return json(200, {
      state,
      sha: params.ref,
      total_count: latest.length,
      statuses: latest.slice((page - 1) * perPage, page * perPage).map((status) => this.#json(status)),
      repository: { full_name: repo },
    });
  }

  #json(status: FakeCommitStatus) {
    const { repo, sha: _sha, ...fields } = status;
    return { ...fields, url: `${this.#deps.apiUrl()}/repos/${repo}/statuses/${status.sha}`, node_id: `SC_${status.id}`, updated_at: status.created_at };
  }
}
