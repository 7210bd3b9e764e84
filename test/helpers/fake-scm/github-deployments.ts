/**
 * Deployments and deployment statuses for the fake GitHub, as
 * https://docs.github.com/rest/deployments/deployments and
 * https://docs.github.com/rest/deployments/statuses describe them:
 * - a deployment's `ref` must name a commit the fake knows (a full sha);
 * - without `required_contexts`, every context's latest status on the
 *   commit must be `success`, else 409 "Commit status checks failed";
 * - `environment` defaults to `production`, `auto_merge` to true,
 *   `production_environment` to true for `production` only;
 * - a status description longer than 140 characters is refused (422), a
 *   status for an unknown deployment is 404;
 * - a `success` status with `auto_inactive` (the default) adds `inactive`
 *   to every earlier successful, non-transient, non-production deployment
 *   of the same repository and environment.
 * Requests still go through the server's OpenAPI check first.
 */
import { isFullSha, json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";
import { invalid, type FakeCommitStatus } from "./github-statuses";

export interface FakeDeployment {
  id: number;
  repo: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  auto_merge: boolean;
  required_contexts: string[] | null;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
}

export interface FakeDeploymentStatus {
  id: number;
  deployment_id: number;
  state: string;
  description: string;
  log_url: string;
  environment_url: string;
  environment: string;
  created_at: string;
}

export interface DeploymentRouteDeps {
  /** Route prefix (`/api/v3` for GitHub Enterprise). */
  readonly prefix: string;
  readonly apiUrl: () => string;
  readonly nextId: () => number;
  /** Checks the caller may use the repository for deployments; returns `owner/repo`. */
  readonly authorize: (request: RecordedScmRequest, params: Record<string, string>) => string;
  /** The newest commit status of each context on a commit, for the required contexts check. */
  readonly latestStatuses: (repo: string, sha: string) => FakeCommitStatus[];
}

const notFound = () => new ScmHttpError(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/deployments/statuses" });

export class FakeGitHubDeployments {
  readonly deployments: FakeDeployment[] = [];
  readonly statuses: FakeDeploymentStatus[] = [];
  readonly #deps: DeploymentRouteDeps;

  constructor(deps: DeploymentRouteDeps) {
    this.#deps = deps;
  }

  routes(): Route[] {
    const p = this.#deps.prefix;
    return [
      { method: "POST", template: `${p}/repos/{owner}/{repo}/deployments`, handler: (r, params) => this.#create(r, params) },
      { method: "POST", template: `${p}/repos/{owner}/{repo}/deployments/{deployment_id}/statuses`, handler: (r, params) => this.#createStatus(r, params) },
    ];
  }

  /** A deployment's statuses, oldest first. */
  statusesOf(deploymentId: number): FakeDeploymentStatus[] {
    return this.statuses.filter((status) => status.deployment_id === deploymentId);
  }

  #create(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#deps.authorize(request, params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const ref = String(body.ref);
    if (!isFullSha(ref)) throw invalid(`No ref found for: ${ref}`);
    const required = Array.isArray(body.required_contexts) ? body.required_contexts.map(String) : null;
    const failing = this.#deps.latestStatuses(repo, ref).filter((s) => s.state !== "success" && (required === null || required.includes(s.context)));
    if (failing.length > 0) {
      throw new ScmHttpError(409, {
        message: `Conflict: Commit status checks failed for ${ref}.`,
        errors: [{ contexts: failing.map((s) => ({ context: s.context, state: s.state })), resource: "Deployment", field: "required_contexts", code: "invalid" }],
        documentation_url: "https://docs.github.com/rest/deployments/deployments#create-a-deployment",
      });
    }
    const environment = typeof body.environment === "string" ? body.environment : "production";
    const deployment: FakeDeployment = {
      id: this.#deps.nextId(),
      repo,
      sha: ref,
      ref,
      task: typeof body.task === "string" ? body.task : "deploy",
      environment,
      description: typeof body.description === "string" ? body.description : null,
      payload: body.payload ?? {},
      auto_merge: body.auto_merge !== false,
      required_contexts: required,
      transient_environment: body.transient_environment === true,
      production_environment: typeof body.production_environment === "boolean" ? body.production_environment : environment === "production",
      created_at: nowIso(),
    };
    this.deployments.push(deployment);
    return json(201, this.#deploymentJson(deployment));
  }

  #createStatus(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#deps.authorize(request, params);
    const deployment = this.deployments.find((d) => d.id === Number(params.deployment_id) && d.repo === repo);
    if (!deployment) throw notFound();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const description = typeof body.description === "string" ? body.description : "";
    if (description.length > 140) throw invalid("description is too long (maximum is 140 characters)");
    const status = this.#add(deployment, {
      state: String(body.state),
      description,
      log_url: typeof body.log_url === "string" ? body.log_url : typeof body.target_url === "string" ? body.target_url : "",
      environment_url: typeof body.environment_url === "string" ? body.environment_url : "",
      environment: typeof body.environment === "string" ? body.environment : deployment.environment,
    });
    if (status.state === "success" && body.auto_inactive !== false) this.#deactivateEarlier(deployment);
    return json(201, this.#statusJson(deployment, status));
  }

  #add(deployment: FakeDeployment, fields: Omit<FakeDeploymentStatus, "id" | "deployment_id" | "created_at">): FakeDeploymentStatus {
    const status: FakeDeploymentStatus = { id: this.#deps.nextId(), deployment_id: deployment.id, created_at: nowIso(), ...fields };
    this.statuses.push(status);
    return status;
  }

  #deactivateEarlier(current: FakeDeployment): void {
    for (const earlier of this.deployments) {
      if (earlier.id === current.id || earlier.repo !== current.repo || earlier.environment !== current.environment) continue;
      if (earlier.transient_environment || earlier.production_environment) continue;
      if (this.statusesOf(earlier.id).at(-1)?.state !== "success") continue;
      this.#add(earlier, { state: "inactive", description: "", log_url: "", environment_url: "", environment: earlier.environment });
    }
  }

  #deploymentJson(deployment: FakeDeployment) {
    const api = `${this.#deps.apiUrl()}/repos/${deployment.repo}`;
    const { repo: _repo, auto_merge: _merge, required_contexts: _required, ...fields } = deployment;
    return {
      ...fields,
      url: `${api}/deployments/${deployment.id}`,
      node_id: `DE_${deployment.id}`,
      original_environment: deployment.environment,
      creator: { login: "kube-feedback[bot]", id: 1, type: "Bot" },
      updated_at: deployment.created_at,
      statuses_url: `${api}/deployments/${deployment.id}/statuses`,
      repository_url: api,
    };
  }

  #statusJson(deployment: FakeDeployment, status: FakeDeploymentStatus) {
    const api = `${this.#deps.apiUrl()}/repos/${deployment.repo}`;
    const { deployment_id: _id, ...fields } = status;
    return {
      ...fields,
      url: `${api}/deployments/${deployment.id}/statuses/${status.id}`,
      node_id: `DES_${status.id}`,
      target_url: status.log_url,
      creator: { login: "kube-feedback[bot]", id: 1, type: "Bot" },
      updated_at: status.created_at,
      deployment_url: `${api}/deployments/${deployment.id}`,
      repository_url: api,
    };
  }
}
