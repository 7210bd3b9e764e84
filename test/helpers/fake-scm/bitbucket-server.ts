/**
 * A fake Bitbucket Server / Data Center build-status API
 * (`/rest/api/latest/projects/{project}/repos/{slug}/commits/{sha}/builds`):
 * POST answers 204 and overwrites by key; GET `?key=` returns one status or
 * 404. Fields are limited to 255 characters (url 450); errors come as
 * `{ errors: [{ context, message }] }`.
 */
import { basicCredentials, credentialOf, FakeScmServer, isFullSha, json, ScmHttpError, type RecordedScmRequest, type Route } from "./base";

export interface FakeBitbucketServerOptions {
  /** `PROJECT/slug` of the repositories that exist. */
  readonly repos: readonly string[];
  /** HTTP access tokens (Bearer). */
  readonly tokens?: readonly string[];
  readonly users?: readonly { username: string; password: string }[];
}

export interface FakeServerBuildStatus {
  repo: string;
  sha: string;
  key: string;
  state: string;
  url: string;
  name: string | null;
  description: string | null;
  ref: string | null;
  createdDate: number;
  updatedDate: number;
}

const STATES = ["INPROGRESS", "SUCCESSFUL", "FAILED", "CANCELLED", "UNKNOWN"];
const LIMITS: Record<string, number> = { key: 255, name: 255, description: 255, ref: 255, url: 450 };

const error = (status: number, message: string, context?: string) =>
  new ScmHttpError(status, { errors: [{ context: context ?? null, message, exceptionName: null }] });

export class FakeBitbucketServer extends FakeScmServer {
  readonly statuses: FakeServerBuildStatus[] = [];
  readonly #options: FakeBitbucketServerOptions;

  constructor(options: FakeBitbucketServerOptions) {
    super();
    this.#options = options;
  }

  protected override authenticate(request: RecordedScmRequest): void {
    const bearer = credentialOf(request, /^bearer$/i);
    if (bearer && this.#options.tokens?.includes(bearer)) return;
    const basic = basicCredentials(request);
    if (basic && this.#options.users?.some((u) => u.username === basic.username && u.password === basic.password)) return;
    throw error(401, "Authentication failed. Please check your credentials and try again.");
  }

  protected routes(): readonly Route[] {
    const builds = "/rest/api/latest/projects/{project}/repos/{slug}/commits/{sha}/builds";
    return [
      { method: "POST", template: builds, handler: (r, p) => this.#post(r, p) },
      { method: "GET", template: builds, handler: (r, p) => this.#get(r, p) },
    ];
  }

  status(repo: string, sha: string, key: string): FakeServerBuildStatus | undefined {
    return this.statuses.find((s) => s.repo === repo && s.sha === sha && s.key === key);
  }

  #repo(params: Record<string, string>): string {
    const repo = `${params.project}/${params.slug}`;
    if (!this.#options.repos.includes(repo)) throw error(404, `Repository ${repo} does not exist.`);
    if (!isFullSha(params.sha!)) throw error(404, `Commit '${params.sha}' does not exist in repository '${params.slug}'.`);
    return repo;
  }

  #post(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#repo(params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    for (const field of ["key", "state", "url"]) {
      if (typeof body[field] !== "string" || body[field] === "") throw error(400, `${field} must be provided`, field);
    }
    if (!STATES.includes(String(body.state))) throw error(400, `state must be one of ${STATES.join(", ")}`, "state");
    for (const [field, limit] of Object.entries(LIMITS)) {
      const value = body[field];
      if (typeof value === "string" && value.length > limit) throw error(400, `${field} must be at most ${limit} characters`, field);
    }
    const now = Date.now();
    const fields = {
      state: String(body.state),
      url: String(body.url),
      name: typeof body.name === "string" ? body.name : null,
      description: typeof body.description === "string" ? body.description : null,
      ref: typeof body.ref === "string" ? body.ref : null,
      updatedDate: now,
    };
    const existing = this.status(repo, params.sha!, String(body.key));
    if (existing) Object.assign(existing, fields);
    else this.statuses.push({ repo, sha: params.sha!, key: String(body.key), createdDate: now, ...fields });
    return { status: 204 };
  }

  #get(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#repo(params);
    const key = request.query.key;
    if (!key) throw error(400, "key must be provided", "key");
    const status = this.status(repo, params.sha!, key);
    if (!status) throw error(404, `No build status with key '${key}' exists for commit '${params.sha}'.`);
    const { repo: _repo, sha: _sha, ...fields } = status;
    return json(200, fields);
  }
}
