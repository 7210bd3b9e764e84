/**
 * A fake GitHub REST API: App installation tokens, check runs (create,
 * update, get, list for a ref), commit statuses (create, list, combined),
 * pull request comments (github-comments.ts), GitHub's rate-limit headers,
 * and its refusals (403 without permission, 404 outside an installation,
 * 422 on invalid input). Every request is also
 * checked against GitHub's OpenAPI description; mismatches are recorded and
 * `assertNoViolations()` fails the test with them.
 */
import { FakeScmServer, isFullSha, json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";
import { FakeGitHubCredentials, notFound, permissionsOf, type FakeGitHubApp, type RepoPermission } from "./github-auth";
import { FakeGitHubComments } from "./github-comments";
import { OpenApiValidator } from "./openapi";

export type { FakeGitHubApp, FakeGitHubInstallation } from "./github-auth";

export interface FakeGitHubOptions {
  /** Repositories that exist, as `owner/name`. */
  readonly repos: readonly string[];
  /** Personal access tokens accepted. */
  readonly tokens?: readonly string[];
  readonly app?: FakeGitHubApp;
  /** `/api/v3` to serve like GitHub Enterprise Server. */
  readonly pathPrefix?: string;
}

export interface FakeCheckRun {
  id: number;
  repo: string;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  external_id: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  started_at: string | null;
  completed_at: string | null;
}

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

const invalid = (message: string) => new ScmHttpError(422, { message: "Validation Failed", errors: [{ message }], status: "422" });

export class FakeGitHubServer extends FakeScmServer {
  readonly checkRuns: FakeCheckRun[] = [];
  readonly statuses: FakeCommitStatus[] = [];
  readonly violations: string[] = [];
  /** Pull request comments (`.comments`, oldest first). */
  readonly issues: FakeGitHubComments;
  readonly #options: FakeGitHubOptions;
  readonly #credentials: FakeGitHubCredentials;
  readonly #validator = OpenApiValidator.github();
  #nextId = 1000;
  #remaining = 5000;

  constructor(options: FakeGitHubOptions) {
    super();
    this.#options = options;
    this.#credentials = new FakeGitHubCredentials(options.tokens ?? [], options.app);
    const authorize = (r: RecordedScmRequest, params: Record<string, string>) => this.#authorize(r, params, "pull_requests");
    this.issues = new FakeGitHubComments({ prefix: options.pathPrefix ?? "", apiUrl: () => this.apiUrl, nextId: () => this.#nextId++, authorize });
  }

  /** Root URL for Octokit's `baseUrl`. */
  get apiUrl(): string {
    return `${this.url}${this.#options.pathPrefix ?? ""}`;
  }

  /** Installation tokens minted (`POST /app/installations/{id}/access_tokens`). */
  get issuedTokens(): number {
    return this.#credentials.issuedTokens;
  }

  /** Fails the test with every request that did not match GitHub's OpenAPI description. */
  assertNoViolations(): void {
    if (this.violations.length > 0) throw new Error(`requests outside GitHub's OpenAPI description:\n${this.violations.join("\n")}`);
  }

  /**
   * The next matching requests are refused as a rate limit: a primary limit
   * (403, `x-ratelimit-remaining: 0`, reset `resetInSeconds` ahead) or, with
   * `retryAfterSeconds`, a secondary limit (403 with `retry-after`).
   */
  rateLimitNext(options: { resetInSeconds?: number; retryAfterSeconds?: number; status?: 403 | 429; times?: number; method?: string }): void {
    const reset = Math.floor(Date.now() / 1000) + (options.resetInSeconds ?? 60);
    const secondary = options.retryAfterSeconds !== undefined;
    this.failNext({
      method: options.method,
      times: options.times,
      status: options.status ?? 403,
      headers: secondary
        ? { "retry-after": String(options.retryAfterSeconds) }
        : { "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset), "x-ratelimit-used": "5000" },
      body: {
        message: secondary ? "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." : "API rate limit exceeded for installation.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
      },
    });
  }

  protected override inspect(request: RecordedScmRequest): void {
    const prefix = this.#options.pathPrefix ?? "";
    if (!request.path.startsWith(prefix)) {
      this.violations.push(`${request.method} ${request.path}: outside the API root ${prefix}`);
      return;
    }
    const path = request.path.slice(prefix.length);
    const violations = this.#validator.validate({ method: request.method, path, query: request.query, body: request.body });
    this.violations.push(...violations);
    // GitHub answers a request that does not fit the operation's schema with 422 (an unknown path falls through to 404).
    const invalid = violations.filter((violation) => !violation.endsWith("no operation in the OpenAPI description"));
    if (invalid.length > 0) throw new ScmHttpError(422, { message: "Invalid request.", errors: invalid, documentation_url: "https://docs.github.com/rest" });
  }

  protected override commonHeaders(): Record<string, string> {
    this.#remaining = Math.max(1, this.#remaining - 1);
    return {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(this.#remaining),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      "x-github-api-version-selected": "2022-11-28",
    };
  }

  protected routes(): readonly Route[] {
    const p = this.#options.pathPrefix ?? "";
    return [
      { method: "POST", template: `${p}/app/installations/{installation_id}/access_tokens`, handler: (r, params) => this.#accessToken(r, params) },
      { method: "GET", template: `${p}/repos/{owner}/{repo}/installation`, handler: (r, params) => this.#repoInstallation(r, params) },
      { method: "POST", template: `${p}/repos/{owner}/{repo}/check-runs`, handler: (r, params) => this.#createCheckRun(r, params) },
      { method: "PATCH", template: `${p}/repos/{owner}/{repo}/check-runs/{id}`, handler: (r, params) => this.#updateCheckRun(r, params) },
      { method: "GET", template: `${p}/repos/{owner}/{repo}/check-runs/{id}`, handler: (r, params) => this.#getCheckRun(r, params) },
      { method: "GET", template: `${p}/repos/{owner}/{repo}/commits/{ref}/check-runs`, handler: (r, params) => this.#listCheckRuns(r, params) },
      { method: "POST", template: `${p}/repos/{owner}/{repo}/statuses/{sha}`, handler: (r, params) => this.#createStatus(r, params) },
      { method: "GET", template: `${p}/repos/{owner}/{repo}/commits/{ref}/statuses`, handler: (r, params) => this.#listStatuses(r, params) },
      { method: "GET", template: `${p}/repos/{owner}/{repo}/commits/{ref}/status`, handler: (r, params) => this.#combinedStatus(r, params) },
      ...this.issues.routes(),
    ];
  }

  /** The repository `owner/repo` of the route, once the caller may use it for `permission`. */
  #authorize(request: RecordedScmRequest, params: Record<string, string>, permission: RepoPermission): string {
    const repo = `${params.owner}/${params.repo}`;
    this.#credentials.authorizeRepo(request, this.#options.repos, repo, permission);
    return repo;
  }

  #accessToken(request: RecordedScmRequest, params: Record<string, string>) {
    if (this.#credentials.callerOf(request).type !== "app") throw new ScmHttpError(401, { message: "A JSON web token is required" });
    const installation = this.#credentials.installation(Number(params.installation_id));
    if (!installation) throw notFound();
    return json(201, { ...this.#credentials.issueToken(installation), repository_selection: "selected" });
  }

  #repoInstallation(request: RecordedScmRequest, params: Record<string, string>) {
    if (this.#credentials.callerOf(request).type !== "app") throw new ScmHttpError(401, { message: "A JSON web token is required" });
    const installation = this.#credentials.installationFor(`${params.owner}/${params.repo}`);
    if (!installation) throw notFound();
    return json(200, { id: installation.id, app_id: this.#credentials.appId, account: { login: params.owner }, permissions: permissionsOf(installation) });
  }

  #createCheckRun(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#authorize(request, params, "checks");
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.head_sha !== "string" || !isFullSha(body.head_sha)) throw invalid(`No commit found for SHA: ${String(body.head_sha)}`);
    const run: FakeCheckRun = {
      id: this.#nextId++,
      repo,
      head_sha: body.head_sha,
      name: String(body.name),
      status: "queued",
      conclusion: null,
      details_url: null,
      external_id: null,
      output: { title: null, summary: null, text: null },
      started_at: nowIso(),
      completed_at: null,
    };
    this.#apply(run, body);
    this.checkRuns.push(run);
    return json(201, this.#checkRunJson(run));
  }

  #updateCheckRun(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#authorize(request, params, "checks");
    const run = this.checkRuns.find((candidate) => candidate.id === Number(params.id) && candidate.repo === repo);
    if (!run) throw notFound();
    this.#apply(run, (request.body ?? {}) as Record<string, unknown>);
    return json(200, this.#checkRunJson(run));
  }

  #apply(run: FakeCheckRun, body: Record<string, unknown>): void {
    if (body.status === "completed" && body.conclusion === undefined) throw invalid("conclusion is required when status is completed");
    if (typeof body.name === "string") run.name = body.name;
    if (typeof body.details_url === "string") run.details_url = body.details_url;
    if (typeof body.external_id === "string") run.external_id = body.external_id;
    if (typeof body.status === "string") run.status = body.status;
    if (typeof body.conclusion === "string") {
      run.conclusion = body.conclusion;
      run.status = "completed";
    } else if (run.status !== "completed") {
      run.conclusion = null;
    }
    run.completed_at = run.status === "completed" ? nowIso() : null;
    const output = body.output as Record<string, string | undefined> | undefined;
    if (output) run.output = { title: output.title ?? null, summary: output.summary ?? null, text: output.text ?? null };
  }

  #getCheckRun(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#authorize(request, params, "checks");
    const run = this.checkRuns.find((candidate) => candidate.id === Number(params.id) && candidate.repo === repo);
    if (!run) throw notFound();
    return json(200, this.#checkRunJson(run));
  }

  #listCheckRuns(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#authorize(request, params, "checks");
    let runs = this.checkRuns.filter((run) => run.repo === repo && run.head_sha === params.ref);
    if (request.query.check_name) runs = runs.filter((run) => run.name === request.query.check_name);
    runs = [...runs].sort((a, b) => b.id - a.id);
    if ((request.query.filter ?? "latest") === "latest") runs = runs.filter((run, index) => runs.findIndex((r) => r.name === run.name) === index);
    return json(200, { total_count: runs.length, check_runs: runs.map((run) => this.#checkRunJson(run)) });
  }

  #checkRunJson(run: FakeCheckRun) {
    const { repo, ...fields } = run;
    return {
      ...fields,
      node_id: `CR_${run.id}`,
      url: `${this.apiUrl}/repos/${repo}/check-runs/${run.id}`,
      html_url: `https://github.example/${repo}/runs/${run.id}`,
      output: { ...run.output, annotations_count: 0, annotations_url: `${this.apiUrl}/repos/${repo}/check-runs/${run.id}/annotations` },
      check_suite: { id: 1 },
      app: { id: this.#credentials.appId ?? 0, slug: "kube-feedback", name: "kube-feedback" },
      pull_requests: [],
    };
  }

  #createStatus(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#authorize(request, params, "statuses");
    const sha = params.sha!;
    if (!isFullSha(sha)) throw invalid(`No commit found for SHA: ${sha}`);
    const body = (request.body ?? {}) as Record<string, string | null | undefined>;
    if ((body.description ?? "").length > 140) throw invalid("description is too long (maximum is 140 characters)");
    const context = body.context ?? "default";
    const count = this.statuses.filter((s) => s.repo === repo && s.sha === sha && s.context === context).length;
    if (count >= STATUS_LIMIT) throw invalid("This SHA and context has reached the maximum number of statuses.");
    const status: FakeCommitStatus = {
      id: this.#nextId++,
      repo,
      sha,
      state: String(body.state),
      context,
      description: body.description ?? null,
      target_url: body.target_url ?? null,
      created_at: nowIso(),
    };
    this.statuses.push(status);
    return json(201, this.#statusJson(status));
  }

  #statusesOf(repo: string, sha: string): FakeCommitStatus[] {
    return this.statuses.filter((status) => status.repo === repo && status.sha === sha).sort((a, b) => b.id - a.id);
  }

  #listStatuses(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#authorize(request, params, "statuses");
    return json(200, this.#statusesOf(repo, params.ref!).map((status) => this.#statusJson(status)));
  }

  #combinedStatus(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#authorize(request, params, "statuses");
    const all = this.#statusesOf(repo, params.ref!);
    const latest = all.filter((status, index) => all.findIndex((s) => s.context === status.context) === index);
    const perPage = Number(request.query.per_page ?? 30);
    const page = Number(request.query.page ?? 1);
    const states = latest.map((status) => status.state);
    const state = states.some((s) => s === "failure" || s === "error") ? "failure" : states.some((s) => s === "pending") || states.length === 0 ? "pending" : "success";
    return json(200, {
      state,
      sha: params.ref,
      total_count: latest.length,
      statuses: latest.slice((page - 1) * perPage, page * perPage).map((status) => this.#statusJson(status)),
      repository: { full_name: repo },
    });
  }

  #statusJson(status: FakeCommitStatus) {
    const { repo, sha: _sha, ...fields } = status;
    return { ...fields, url: `${this.apiUrl}/repos/${repo}/statuses/${status.sha}`, node_id: `SC_${status.id}`, updated_at: status.created_at };
  }
}
