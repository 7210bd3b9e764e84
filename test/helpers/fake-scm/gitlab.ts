/**
 * A fake GitLab commit-status API (`/api/v4`). It reproduces GitLab's
 * Ci::CreateCommitStatusService: a POST reuses the pending or running status
 * with the same name, sha and ref (or creates one), then fires state-machine
 * events. There are no self-transitions, so posting the state a status
 * already has answers 400 "Cannot transition status via :run from :running",
 * exactly like real GitLab.
 *
 * Access per project: a token may be refused statuses (403, a user below
 * Developer) or not see the project at all (404, a private fork). A
 * project may list its commits; a merge request's head commit is then in
 * its target project too, under refs/merge-requests/:iid/head, as GitLab
 * fetches it there (https://docs.gitlab.com/user/project/merge_requests/merge_request_troubleshooting/#check-out-merge-requests-locally-through-the-head-ref).
 */
import { FakeScmServer, isFullSha, json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";
import { FakeGitLabNotes } from "./gitlab-notes";

export interface FakeGitLabProject {
  readonly id: number;
  /** Full path, `group/subgroup/project`. */
  readonly path: string;
  readonly defaultBranch?: string;
  /** Commits in the repository; unset means every full sha is there. */
  readonly commits?: readonly string[];
  /** Tokens whose statuses GitLab refuses here with 403 Forbidden (they may still read and write notes). */
  readonly refuseStatusesFor?: readonly string[];
  /** Tokens that cannot see the project: 404 Project Not Found on every route, as for a private fork. */
  readonly hiddenFrom?: readonly string[];
}

/** A merge request: its head commit is reachable in the target project under refs/merge-requests/:iid/head. */
export interface FakeGitLabMergeRequest {
  readonly projectId: number;
  readonly iid: number;
  readonly sourceProjectId: number;
  readonly sha: string;
}

export interface FakeGitLabOptions {
  readonly projects: readonly FakeGitLabProject[];
  /** Accepted as `PRIVATE-TOKEN` or `Authorization: Bearer`. */
  readonly tokens: readonly string[];
  readonly mergeRequests?: readonly FakeGitLabMergeRequest[];
}

export interface FakeGitLabStatus {
  id: number;
  projectId: number;
  sha: string;
  ref: string;
  name: string;
  status: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
}

/** GitLab's CommitStatus state machine (app/models/commit_status.rb), the events the API fires. */
const EVENTS: Record<string, { from: readonly string[]; to: string }> = {
  enqueue: { from: ["created", "skipped", "manual", "scheduled"], to: "pending" },
  run: { from: ["pending"], to: "running" },
  success: { from: ["created", "waiting_for_resource", "preparing", "pending", "running"], to: "success" },
  drop: { from: ["created", "waiting_for_resource", "preparing", "pending", "running", "manual", "scheduled"], to: "failed" },
  cancel: { from: ["created", "waiting_for_resource", "preparing", "pending", "running", "manual", "scheduled"], to: "canceled" },
  skip: { from: ["created", "waiting_for_resource", "preparing", "pending"], to: "skipped" },
};

/** Per requested state: the events fired, and whether an invalid one raises (`event!`) or is ignored. */
const EVENTS_FOR_STATE: Record<string, readonly (readonly [string, boolean])[]> = {
  pending: [["enqueue", true]],
  running: [
    ["enqueue", false],
    ["run", true],
  ],
  success: [["success", true]],
  failed: [["drop", true]],
  canceled: [["cancel", true]],
  skipped: [["skip", true]],
};

/** The token of a request, from `PRIVATE-TOKEN` or `Authorization: Bearer`. */
const tokenOf = (request: RecordedScmRequest): string | undefined => {
  const header = request.headers["private-token"];
  const bearer = /^Bearer\s+(.+)$/i.exec(String(request.headers.authorization ?? ""))?.[1];
  return typeof header === "string" ? header : bearer;
};

export class FakeGitLabServer extends FakeScmServer {
  readonly statuses: FakeGitLabStatus[] = [];
  /** Merge request notes (`.notes`, oldest first). */
  readonly mergeRequests: FakeGitLabNotes;
  readonly #options: FakeGitLabOptions;
  #nextId = 500;

  constructor(options: FakeGitLabOptions) {
    super();
    this.#options = options;
    this.mergeRequests = new FakeGitLabNotes({ nextId: () => this.#nextId++, projectId: (id, request) => this.#project(id, request).id });
  }

  protected override authenticate(request: RecordedScmRequest): void {
    const token = tokenOf(request);
    if (!token || !this.#options.tokens.includes(token)) throw new ScmHttpError(401, { message: "401 Unauthorized" });
  }

  protected routes(): readonly Route[] {
    return [
      { method: "POST", template: "/api/v4/projects/{id}/statuses/{sha}", handler: (r, p) => this.#post(r, p) },
      { method: "GET", template: "/api/v4/projects/{id}/repository/commits/{sha}/statuses", handler: (r, p) => this.#list(r, p) },
      ...this.mergeRequests.routes(),
    ];
  }

  /** Latest status for a name, for assertions. */
  latest(projectId: number, sha: string, name: string): FakeGitLabStatus | undefined {
    return this.statuses.filter((s) => s.projectId === projectId && s.sha === sha && s.name === name).sort((a, b) => b.id - a.id)[0];
  }

  #project(id: string, request: RecordedScmRequest, sha?: string): FakeGitLabProject {
    const project = this.#options.projects.find((candidate) => String(candidate.id) === id || candidate.path === id);
    const token = tokenOf(request);
    if (!project || (token !== undefined && project.hiddenFrom?.includes(token))) throw new ScmHttpError(404, { message: "404 Project Not Found" });
    if (sha !== undefined && !(isFullSha(sha) && this.#hasCommit(project, sha))) throw new ScmHttpError(404, { message: "404 Commit Not Found" });
    return project;
  }

  #hasCommit(project: FakeGitLabProject, sha: string): boolean {
    if (!project.commits) return true;
    return project.commits.includes(sha) || (this.#options.mergeRequests ?? []).some((mr) => mr.projectId === project.id && mr.sha === sha);
  }

  #post(request: RecordedScmRequest, params: Record<string, string>) {
    const project = this.#project(params.id!, request, params.sha!);
    const token = tokenOf(request);
    // The API's `authorize! :create_commit_status`: Developer or more on the project.
    if (token !== undefined && project.refuseStatusesFor?.includes(token)) throw new ScmHttpError(403, { message: "403 Forbidden" });
    const body = (request.body ?? {}) as Record<string, unknown>;
    const state = String(body.state ?? "");
    const events = EVENTS_FOR_STATE[state];
    if (!events) throw new ScmHttpError(400, { error: "state does not have a valid value" });
    const description = typeof body.description === "string" ? body.description : null;
    if (description && description.length > 255) {
      throw new ScmHttpError(400, { message: { description: ["is too long (maximum is 255 characters)"] } });
    }
    const name = String(body.name ?? body.context ?? "default");
    const ref = String(body.ref ?? project.defaultBranch ?? "main");
    let status = this.statuses.find(
      (s) => s.projectId === project.id && s.sha === params.sha && s.name === name && s.ref === ref && ["pending", "running"].includes(s.status),
    );
    const created = !status;
    status ??= {
      id: this.#nextId++,
      projectId: project.id,
      sha: params.sha!,
      ref,
      name,
      status: "created",
      description: null,
      target_url: null,
      created_at: nowIso(),
    };
    const next = { ...status };
    for (const [event, raises] of events) {
      const transition = EVENTS[event]!;
      if (transition.from.includes(next.status)) next.status = transition.to;
      else if (raises) {
        throw new ScmHttpError(400, {
          message: `Cannot transition status via :${event} from :${next.status} (Reason(s): Status cannot transition via "${event}")`,
        });
      }
    }
    if (description !== null) next.description = description;
    if (typeof body.target_url === "string") next.target_url = body.target_url;
    if (created) this.statuses.push(next);
    else Object.assign(status, next);
    return json(201, this.#json(next));
  }

  #list(request: RecordedScmRequest, params: Record<string, string>) {
    const project = this.#project(params.id!, request, params.sha!);
    let statuses = this.statuses.filter((s) => s.projectId === project.id && s.sha === params.sha).sort((a, b) => b.id - a.id);
    if (request.query.name) statuses = statuses.filter((s) => s.name === request.query.name);
    if (request.query.ref) statuses = statuses.filter((s) => s.ref === request.query.ref);
    if (request.query.all !== "true") {
      statuses = statuses.filter((s, index) => statuses.findIndex((o) => o.name === s.name && o.ref === s.ref) === index);
    }
    return json(200, statuses.map((status) => this.#json(status)));
  }

  #json(status: FakeGitLabStatus) {
    const { projectId: _projectId, ...fields } = status;
    return { ...fields, allow_failure: false, coverage: null, author: { id: 1, username: "kube-feedback" } };
  }
}
