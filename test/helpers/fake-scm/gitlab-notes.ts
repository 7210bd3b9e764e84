/**
 * Merge request notes for the fake GitLab (`/api/v4/projects/{id}/merge_requests/{iid}/notes`,
 * https://docs.gitlab.com/api/notes/#merge-requests): list with offset
 * pagination, create, and edit with PUT, answering 404 for an unknown note
 * and 400 for an empty body as GitLab does.
 */
import { json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";

export interface FakeGitLabNote {
  id: number;
  projectId: number;
  iid: number;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface NoteRouteDeps {
  readonly nextId: () => number;
  /** The project's numeric id for an id or full path; throws GitLab's 404 when there is none or the request's token cannot see it. */
  readonly projectId: (idOrPath: string, request: RecordedScmRequest) => number;
}

const bodyOf = (request: RecordedScmRequest): string => {
  const body = (request.body ?? {}) as { body?: unknown };
  if (typeof body.body !== "string" || body.body.trim() === "") throw new ScmHttpError(400, { message: "400 Bad request - body is missing" });
  return body.body;
};

export class FakeGitLabNotes {
  readonly notes: FakeGitLabNote[] = [];
  readonly #deps: NoteRouteDeps;

  constructor(deps: NoteRouteDeps) {
    this.#deps = deps;
  }

  routes(): Route[] {
    const base = "/api/v4/projects/{id}/merge_requests/{iid}/notes";
    return [
      { method: "GET", template: base, handler: (r, p) => this.#list(r, p) },
      { method: "POST", template: base, handler: (r, p) => this.#create(r, p) },
      { method: "PUT", template: `${base}/{note_id}`, handler: (r, p) => this.#edit(r, p) },
    ];
  }

  #of(request: RecordedScmRequest, params: Record<string, string>): FakeGitLabNote[] {
    const projectId = this.#deps.projectId(params.id!, request);
    return this.notes.filter((n) => n.projectId === projectId && n.iid === Number(params.iid));
  }

  #list(request: RecordedScmRequest, params: Record<string, string>) {
    const perPage = Number(request.query.per_page ?? 20);
    const page = Number(request.query.page ?? 1);
    // GitLab lists notes newest first by default.
    const all = [...this.#of(request, params)].sort((a, b) => b.id - a.id);
    return json(200, all.slice((page - 1) * perPage, page * perPage).map((note) => this.#json(note)), {
      "x-page": String(page),
      "x-per-page": String(perPage),
      "x-total": String(all.length),
    });
  }

  #create(request: RecordedScmRequest, params: Record<string, string>) {
    const now = nowIso();
    const note: FakeGitLabNote = {
      id: this.#deps.nextId(),
      projectId: this.#deps.projectId(params.id!, request),
      iid: Number(params.iid),
      body: bodyOf(request),
      created_at: now,
      updated_at: now,
    };
    this.notes.push(note);
    return json(201, this.#json(note));
  }

  #edit(request: RecordedScmRequest, params: Record<string, string>) {
    const note = this.#of(request, params).find((n) => n.id === Number(params.note_id));
    if (!note) throw new ScmHttpError(404, { message: "404 Not found" });
    note.body = bodyOf(request);
    note.updated_at = nowIso();
    return json(200, this.#json(note));
  }

  #json(note: FakeGitLabNote) {
    const { projectId, iid, ...fields } = note;
    return { ...fields, project_id: projectId, noteable_iid: iid, noteable_type: "MergeRequest", system: false, author: { id: 1, username: "kube-feedback" } };
  }
}
