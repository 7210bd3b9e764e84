/**
 * A fake Gitea / Forgejo commit-status API (`/api/v1`): every POST adds a
 * status (the newest per context wins), states pending, success, error,
 * failure and warning, answers that carry the state as `status`.
 */
import { credentialOf, FakeScmServer, isFullSha, json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";

export interface FakeGiteaOptions {
  /** `owner/name` of the repositories that exist. */
  readonly repos: readonly string[];
  /** Accepted as `Authorization: token …` or `Bearer …`. */
  readonly tokens: readonly string[];
}

export interface FakeGiteaStatus {
  id: number;
  repo: string;
  sha: string;
  status: string;
  context: string;
  description: string;
  target_url: string;
  created_at: string;
}

const STATES = ["pending", "success", "error", "failure", "warning"];

export class FakeGiteaServer extends FakeScmServer {
  readonly statuses: FakeGiteaStatus[] = [];
  readonly #options: FakeGiteaOptions;
  #nextId = 1;

  constructor(options: FakeGiteaOptions) {
    super();
    this.#options = options;
  }

  protected override authenticate(request: RecordedScmRequest): void {
    const token = credentialOf(request, /^(token|bearer)$/i);
    if (!token || !this.#options.tokens.includes(token)) throw new ScmHttpError(401, { message: "token is required", url: "" });
  }

  protected routes(): readonly Route[] {
    return [
      { method: "POST", template: "/api/v1/repos/{owner}/{repo}/statuses/{sha}", handler: (r, p) => this.#post(r, p) },
      { method: "GET", template: "/api/v1/repos/{owner}/{repo}/commits/{ref}/statuses", handler: (r, p) => this.#list(r, p.ref!, p) },
      { method: "GET", template: "/api/v1/repos/{owner}/{repo}/statuses/{sha}", handler: (r, p) => this.#list(r, p.sha!, p) },
    ];
  }

  /** Newest status per context first, for assertions. */
  statusesOf(repo: string, sha: string): FakeGiteaStatus[] {
    return this.statuses.filter((s) => s.repo === repo && s.sha === sha).sort((a, b) => b.id - a.id);
  }

  #repo(params: Record<string, string>, sha: string): string {
    const repo = `${params.owner}/${params.repo}`;
    if (!this.#options.repos.includes(repo)) throw new ScmHttpError(404, { message: "The target couldn't be found.", errors: [] });
    if (!isFullSha(sha)) throw new ScmHttpError(404, { message: `object does not exist [id: ${sha}]`, errors: [] });
    return repo;
  }

  #post(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#repo(params, params.sha!);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (!STATES.includes(String(body.state))) throw new ScmHttpError(422, { message: `[State]: invalid state "${String(body.state)}"` });
    const status: FakeGiteaStatus = {
      id: this.#nextId++,
      repo,
      sha: params.sha!,
      status: String(body.state),
      context: typeof body.context === "string" && body.context !== "" ? body.context : "default",
      description: typeof body.description === "string" ? body.description : "",
      target_url: typeof body.target_url === "string" ? body.target_url : "",
      created_at: nowIso(),
    };
    this.statuses.push(status);
    return json(201, this.#json(status));
  }

  #list(request: RecordedScmRequest, sha: string, params: Record<string, string>) {
    const repo = this.#repo(params, sha);
    let statuses = this.statusesOf(repo, sha);
    if (request.query.sort === "oldest" || request.query.sort === "leastindex") statuses = statuses.reverse();
    const limit = Number(request.query.limit ?? 30);
    const page = Number(request.query.page ?? 1);
    return json(200, statuses.slice((page - 1) * limit, page * limit).map((status) => this.#json(status)));
  }

  #json(status: FakeGiteaStatus) {
    const { repo, sha: _sha, ...fields } = status;
    return { ...fields, url: `/api/v1/repos/${repo}/statuses/${status.sha}`, creator: { login: "kube-feedback" }, updated_at: status.created_at };
  }
}
