/**
 * Issue comments for the fake GitHub (pull requests are issues to this API):
 * list, create and update, as `https://docs.github.com/rest/issues/comments`
 * describes them, with GitHub's 404 for an unknown comment and 422 for an
 * empty body. Requests still go through the server's OpenAPI check first.
 */
import { json, nowIso, ScmHttpError, type RecordedScmRequest, type Route } from "./base";

export interface FakeIssueComment {
  id: number;
  repo: string;
  issue_number: number;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface CommentRouteDeps {
  /** Route prefix (`/api/v3` for GitHub Enterprise). */
  readonly prefix: string;
  readonly apiUrl: () => string;
  readonly nextId: () => number;
  /** Checks the caller may use the repository for pull requests; returns `owner/repo`. */
  readonly authorize: (request: RecordedScmRequest, params: Record<string, string>) => string;
}

const notFound = () => new ScmHttpError(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/issues/comments" });

const bodyOf = (request: RecordedScmRequest): string => {
  const body = (request.body ?? {}) as { body?: unknown };
  if (typeof body.body !== "string" || body.body.trim() === "") {
    throw new ScmHttpError(422, { message: "Validation Failed", errors: [{ resource: "IssueComment", code: "missing_field", field: "body" }] });
  }
  return body.body;
};

export class FakeGitHubComments {
  readonly comments: FakeIssueComment[] = [];
  readonly #deps: CommentRouteDeps;

  constructor(deps: CommentRouteDeps) {
    this.#deps = deps;
  }

  routes(): Route[] {
    const p = this.#deps.prefix;
    return [
      { method: "GET", template: `${p}/repos/{owner}/{repo}/issues/{issue_number}/comments`, handler: (r, params) => this.#list(r, params) },
      { method: "POST", template: `${p}/repos/{owner}/{repo}/issues/{issue_number}/comments`, handler: (r, params) => this.#create(r, params) },
      { method: "PATCH", template: `${p}/repos/{owner}/{repo}/issues/comments/{comment_id}`, handler: (r, params) => this.#update(r, params) },
    ];
  }

  #list(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#deps.authorize(request, params);
    const perPage = Number(request.query.per_page ?? 30);
    const page = Number(request.query.page ?? 1);
    const all = this.comments.filter((c) => c.repo === repo && c.issue_number === Number(params.issue_number));
    return json(200, all.slice((page - 1) * perPage, page * perPage).map((c) => this.#json(c)));
  }

  #create(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#deps.authorize(request, params);
    const now = nowIso();
    const comment: FakeIssueComment = { id: this.#deps.nextId(), repo, issue_number: Number(params.issue_number), body: bodyOf(request), created_at: now, updated_at: now };
    this.comments.push(comment);
    return json(201, this.#json(comment));
  }

  #update(request: RecordedScmRequest, params: Record<string, string>) {
    const repo = this.#deps.authorize(request, params);
    const comment = this.comments.find((c) => c.id === Number(params.comment_id) && c.repo === repo);
    if (!comment) throw notFound();
    comment.body = bodyOf(request);
    comment.updated_at = nowIso();
    return json(200, this.#json(comment));
  }

  #json(comment: FakeIssueComment) {
    const { repo, issue_number, ...fields } = comment;
    const api = this.#deps.apiUrl();
    return {
      ...fields,
      node_id: `IC_${comment.id}`,
      url: `${api}/repos/${repo}/issues/comments/${comment.id}`,
      html_url: `https://github.example/${repo}/pull/${issue_number}#issuecomment-${comment.id}`,
      issue_url: `${api}/repos/${repo}/issues/${issue_number}`,
      user: { login: "kube-feedback[bot]", id: 1, type: "Bot" },
      author_association: "NONE",
    };
  }
}
