/**
 * A fake Bitbucket Cloud build-status API (`/2.0/repositories/…/statuses/build`):
 * one status per key and commit, overwritten by a POST with the same key,
 * keys limited to 40 characters, Bitbucket's error bodies
 * (`{ type: "error", error: { message, fields } }`).
 */
import { basicCredentials, credentialOf, FakeScmServer, isFullSha, json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";

export interface FakeBitbucketCloudOptions {
  /** `workspace/slug` of the repositories that exist. */
  readonly repos: readonly string[];
  /** Bearer tokens (repository, project or workspace access tokens). */
  readonly tokens?: readonly string[];
  /** Basic credentials (API tokens or app passwords). */
  readonly users?: readonly { username: string; password: string }[];
}

export interface FakeBuildStatus {
  repo: string;
  sha: string;
  key: string;
  state: string;
  name: string | null;
  description: string | null;
  url: string;
  refname: string | null;
  uuid: string;
  created_on: string;
  updated_on: string;
}

const STATES = ["INPROGRESS", "SUCCESSFUL", "FAILED", "STOPPED"];
const KEY_LIMIT = 40;

const error = (status: number, message: string, fields?: Record<string, string[]>) =>
  new ScmHttpError(status, { type: "error", error: { message, ...(fields ? { fields } : {}) } });

export class FakeBitbucketCloudServer extends FakeScmServer {
  readonly statuses: FakeBuildStatus[] = [];
  readonly #options: FakeBitbucketCloudOptions;
  #nextUuid = 1;

  constructor(options: FakeBitbucketCloudOptions) {
    super();
    this.#options = options;
  }

  protected override authenticate(request: RecordedScmRequest): void {
    const bearer = credentialOf(request, /^bearer$/i);
    if (bearer && this.#options.tokens?.includes(bearer)) return;
    const basic = basicCredentials(request);
    if (basic && this.#options.users?.some((u) => u.username === basic.username && u.password === basic.password)) return;
    throw error(401, "Unauthorized");
  }

  protected routes(): readonly Route[] {
    const commit = "/2.0/repositories/{workspace}/{slug}/commit/{sha}";
    return [
      { method: "POST", template: `${commit}/statuses/build`, handler: (r, p) => this.#post(r, p) },
      { method: "GET", template: `${commit}/statuses/build/{key}`, handler: (_r, p) => this.#get(p) },
      { method: "GET", template: `${commit}/statuses`, handler: (_r, p) => this.#list(p) },
    ];
  }

  status(repo: string, sha: string, key: string): FakeBuildStatus | undefined {
    return this.statuses.find((s) => s.repo === repo && s.sha === sha && s.key === key);
  }

  #repo(params: Record<string, string>): string {
    const repo = `${params.workspace}/${params.slug}`;
    if (!this.#options.repos.includes(repo)) throw error(404, `Repository ${repo} not found`);
    if (!isFullSha(params.sha!)) throw error(404, `Commit not found: ${params.sha}`);
    return repo;
  }

  #post(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#repo(params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const key = typeof body.key === "string" ? body.key : "";
    if (key === "") throw error(400, "key: This field is required.", { key: ["This field is required."] });
    if (key.length > KEY_LIMIT) {
      throw error(400, `key: Ensure this value has at most ${KEY_LIMIT} characters (it has ${key.length}).`, {
        key: [`Ensure this value has at most ${KEY_LIMIT} characters (it has ${key.length}).`],
      });
    }
    if (!STATES.includes(String(body.state))) throw error(400, `state: "${String(body.state)}" is not a valid choice.`);
    if (typeof body.url !== "string" || body.url === "") throw error(400, "url: This field is required.");
    const existing = this.status(repo, params.sha!, key);
    const now = nowIso();
    const fields = {
      state: String(body.state),
      name: typeof body.name === "string" ? body.name : null,
      description: typeof body.description === "string" ? body.description : null,
      url: body.url,
      refname: typeof body.refname === "string" ? body.refname : null,
      updated_on: now,
    };
    if (existing) {
      Object.assign(existing, fields);
      return json(200, this.#json(existing));
    }
    const status: FakeBuildStatus = { repo, sha: params.sha!, key, uuid: `{${this.#nextUuid++}}`, created_on: now, ...fields };
    this.statuses.push(status);
    return json(201, this.#json(status));
  }

  #get(params: Record<string, string>) {
    const repo = this.#repo(params);
    const status = this.status(repo, params.sha!, params.key!);
    if (!status) throw error(404, "Build status not found");
    return json(200, this.#json(status));
  }

  #list(params: Record<string, string>) {
    const repo = this.#repo(params);
    const values = this.statuses.filter((s) => s.repo === repo && s.sha === params.sha).map((s) => this.#json(s));
    return json(200, { values, page: 1, pagelen: 10, size: values.length });
  }

  #json(status: FakeBuildStatus) {
    const { repo: _repo, sha: _sha, ...fields } = status;
    return { type: "build", ...fields };
  }
}
