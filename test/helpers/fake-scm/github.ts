/**
 * A fake GitHub REST API: App installation tokens, check runs (create,
 * update, get, list for a ref), commit statuses (github-statuses.ts), pull
 * request comments (github-comments.ts), deployments and their statuses
 * (github-deployments.ts), GitHub's rate-limit headers,
 * and its refusals (403 without permission, 404 outside an installation,
 * 422 on invalid input). Every request is also
 * checked against GitHub's OpenAPI description; mismatches are recorded and
 * `assertNoViolations()` fails the test with them.
 */
import { FakeScmServer, isFullSha, json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";
import { FakeGitHubCredentials, notFound, permissionsOf, type FakeGitHubApp, type RepoPermission } from "./github-auth";
import { FakeGitHubComments } from "./github-comments";
import { FakeGitHubDeployments } from "./github-deployments";
import { FakeGitHubStatuses, invalid, type FakeCommitStatus } from "./github-statuses";
import { OpenApiValidator } from "./openapi";

export type { FakeCommitStatus } from "./github-statuses";

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

export class FakeGitHubServer extends FakeScmServer {
  readonly checkRuns: FakeCheckRun[] = [];
  readonly violations: string[] = [];
  /** Pull request comments (`.comments`, oldest first). */
  readonly issues: FakeGitHubComments;
  /** Commit statuses (`.statuses`, oldest first). */
  readonly commitStatuses: FakeGitHubStatuses;
  /** Deployments and their statuses (`.deployments`, `.statuses`, oldest first). */
  readonly deployments: FakeGitHubDeployments;
  readonly #options: FakeGitHubOptions;
  readonly #credentials: FakeGitHubCredentials;
  readonly #validator = OpenApiValidator.github();
  #nextId = 1000;
  #remaining = 5000;

  constructor(options: FakeGitHubOptions) {
    super();
    this.#options = options;
    this.#credentials = new FakeGitHubCredentials(options.tokens ?? [], options.app);
    const common = { prefix: options.pathPrefix ?? "", apiUrl: () => this.apiUrl, nextId: () => this.#nextId++ };
    const authorize = (permission: RepoPermission) => (r: RecordedScmRequest, params: Record<string, string>) => this.#authorize(r, params, permission);
    this.issues = new FakeGitHubComments({ ...common, authorize: authorize("pull_requests") });
    this.commitStatuses = new FakeGitHubStatuses({ ...common, authorize: authorize("statuses") });
    const latestStatuses = (repo: string, sha: string) => this.commitStatuses.latestOf(repo, sha);
    this.deployments = new FakeGitHubDeployments({ ...common, authorize: authorize("deployments"), latestStatuses });
  }

  /** Commit statuses written, oldest first. */
  get statuses(): FakeCommitStatus[] {
    return this.commitStatuses.statuses;
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
      ...this.commitStatuses.routes(),
      ...this.issues.routes(),
      ...this.deployments.routes(),
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
}
