/**
 * Git context of a CI run, read from the annotations and labels that the
 * tools creating runs already set, so that users need not add anything:
 *
 * 1. ours: `commit-status.argoproj.io/{repo-url,sha,ref,pr}`;
 * 2. Tekton Pipelines-as-Code, which stamps every PipelineRun it creates
 *    (https://pipelinesascode.com/docs/guide/running/#labels-and-annotations);
 * 3. pipelines-feedback-core: `pipelinesfeedback.keskad.pl/{https-repo-url,commit,ref,pr-id}`.
 *
 * Precedence is per field, so that one of our annotations can override a
 * single value (say, the sha) that Pipelines-as-Code got wrong. Annotations
 * win over labels; label values are length-limited, which is why
 * Pipelines-as-Code puts the repository URL in an annotation only.
 */
import { LRUCache } from "lru-cache";
import type { GitContext } from "./types";

type Metadata = Readonly<Record<string, string>> | undefined;

const OURS = "commit-status.argoproj.io/";
const PAC = "pipelinesascode.tekton.dev/";
const KESKAD = "pipelinesfeedback.keskad.pl/";

export const OPT_IN_KEY = `${OURS}enabled`;

/** Sources in order of precedence, per GitContext field. */
const KEYS = {
  repoUrl: [`${OURS}repo-url`, `${PAC}repo-url`, `${KESKAD}https-repo-url`],
  // Where the commit lives when it is not `repoUrl`: the fork a merge request
  // comes from. PaC sets `repo-url` to the target and `source-repo-url` to the
  // fork (keys.SourceRepoURL, pkg/apis/pipelinesascode/keys/keys.go).
  sourceRepoUrl: [`${OURS}source-repo-url`, `${PAC}source-repo-url`],
  sha: [`${OURS}sha`, `${PAC}sha`, `${KESKAD}commit`],
  // For a pull request PaC's `branch` is the base branch; the commit lives on
  // `source-branch`. On a push both are the pushed ref.
  ref: [`${OURS}ref`, `${PAC}source-branch`, `${PAC}branch`, `${KESKAD}ref`],
  pr: [`${OURS}pr`, `${PAC}pull-request`, `${KESKAD}pr-id`],
  provider: [`${PAC}git-provider`],
  owner: [`${PAC}url-org`],
  repo: [`${PAC}url-repository`],
} as const;

const lookup = (annotations: Metadata, labels: Metadata, keys: readonly string[]): string | undefined => {
  for (const key of keys) {
    for (const source of [annotations, labels]) {
      // Typed as strings, but read from objects off a queue: check anyway.
      const value: unknown = source?.[key];
      if (typeof value === "string" && value.trim() !== "") return value.trim();
    }
  }
  return undefined;
};

/** Providers recognised from well-known public hosts; self-hosted ones need PaC's `git-provider`. */
const inferProvider = (host: string): string | undefined => {
  if (host === "github.com") return "github";
  if (host === "bitbucket.org") return "bitbucket-cloud";
  if (host === "gitlab.com" || host.startsWith("gitlab.")) return "gitlab";
  return undefined;
};

export interface RepoLocation {
  host: string;
  owner: string;
  repo: string;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`, already lower case. */
const HOST_PORT = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/;

/**
 * A host in the one form two hosts are compared in: lower case, without a
 * trailing dot (`github.com.` is github.com) and without a web default port.
 * A host string carries no scheme, so both 80 and 443 mean "no port": the
 * URL parser already drops the port that is its own scheme's default, and a
 * receiver's `http://` test server and a run's `https://` link still name
 * the same host. Any other port stays: two servers on one machine differ.
 */
export const canonicalHost = (host: string): string => {
  const lower = host.trim().toLowerCase();
  const match = HOST_PORT.exec(lower);
  if (!match) return lower;
  const name = match[1]!.replace(/\.$/, "");
  const port = match[2] ? Number(match[2]) : undefined;
  return port === undefined || port === 80 || port === 443 ? name : `${name}:${port}`;
};

/** `git@host:owner/repo.git`: scp-like syntax, no scheme, so `new URL` cannot read it. */
const SCP_LIKE = /^(?:[^@\s/]+@)?([^:\s/]+):(?!\/\/)(.+)$/;

const splitPath = (host: string, path: string): RepoLocation | undefined => {
  // GitLab web URLs continue past the project with `/-/tree/…`, `/-/merge_requests/…`.
  const segments = path.split("/-/")[0]!.split("/").filter((segment) => segment !== "");
  const last = segments.pop()?.replace(/\.git$/, "");
  if (!last || segments.length === 0) return undefined;
  // GitLab subgroups nest: everything before the project is the owner.
  return { host: canonicalHost(host), owner: segments.join("/"), repo: last };
};

/** Reads https, ssh:// and scp-like git URLs; undefined for anything else. */
export function parseRepoUrl(url: string): RepoLocation | undefined {
  const scp = SCP_LIKE.exec(url);
  if (scp) return splitPath(scp[1]!, scp[2]!);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!["https:", "http:", "ssh:", "git:", "git+ssh:", "ssh+git:"].includes(parsed.protocol)) return undefined;
  // A port matters for a web host (it is part of the link) but an ssh port
  // (Bitbucket Data Center's 7999) says nothing about where the web UI is.
  const web = parsed.protocol === "https:" || parsed.protocol === "http:";
  return splitPath(web ? parsed.host : parsed.hostname, decodeURIComponent(parsed.pathname));
}

/** Drops credentials from an http(s) URL (`https://token@host/…`) before it travels further. */
const withoutCredentials = (url: string): string => {
  if (!/^https?:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
};

const sameProject = (a: RepoLocation, b: { host?: string; owner?: string; repo?: string }): boolean =>
  // GitLab and GitHub paths are case-insensitive.
  a.host === b.host && a.owner.toLowerCase() === b.owner?.toLowerCase() && a.repo.toLowerCase() === b.repo?.toLowerCase();

/**
 * A repository URL without credentials, and where it points. Every event of
 * a run reads the same URLs (twice: to build the run's info and to store
 * it), and a deployment sees few repositories, so each is parsed once: two
 * URL parses per URL and call were most of what reading a run's git context
 * cost. A URL that carries credentials is parsed every time instead, so
 * that none is kept.
 */
const repoLocations = new LRUCache<string, { repoUrl: string; location: RepoLocation | undefined }>({ max: 256 });
const WITH_CREDENTIALS = /^https?:\/\/[^/]*@/i;

const locate = (rawUrl: string): { repoUrl: string; location: RepoLocation | undefined } => {
  let known = repoLocations.get(rawUrl);
  if (!known) {
    const repoUrl = withoutCredentials(rawUrl);
    known = { repoUrl, location: parseRepoUrl(repoUrl) };
    if (!WITH_CREDENTIALS.test(rawUrl)) repoLocations.set(rawUrl, known);
  }
  return known;
};

/** The source repository's URL when it names another project than the run's (a fork); PaC sets it on every run. */
const sourceOf = (rawUrl: string | undefined, target: { host?: string; owner?: string; repo?: string }): string | undefined => {
  if (rawUrl === undefined) return undefined;
  const { repoUrl, location } = locate(rawUrl);
  return location && !sameProject(location, target) ? repoUrl : undefined;
};

const compact = (value: GitContext): GitContext =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as GitContext;

/** The git context of a run, or undefined when it names neither a commit nor a repository. */
export function gitContext(annotations: Metadata, labels?: Metadata): GitContext | undefined {
  const read = (keys: readonly string[]) => lookup(annotations, labels, keys);
  const rawUrl = read(KEYS.repoUrl);
  const located = rawUrl === undefined ? undefined : locate(rawUrl);
  const repoUrl = located?.repoUrl;
  const location = located?.location;
  const owner = location?.owner ?? read(KEYS.owner);
  const repo = location?.repo ?? read(KEYS.repo);
  const sha = read(KEYS.sha);
  if (sha === undefined && repoUrl === undefined && (owner === undefined || repo === undefined)) {
    return undefined;
  }
  const host = location?.host;
  return compact({
    repoUrl,
    provider: read(KEYS.provider)?.toLowerCase() ?? (host === undefined ? undefined : inferProvider(host)),
    host,
    owner,
    repo,
    sha,
    ref: read(KEYS.ref),
    pr: read(KEYS.pr),
    sourceRepoUrl: sourceOf(read(KEYS.sourceRepoUrl), { host, owner, repo }),
  });
}

/** Whether the object asks for commit statuses: `commit-status.argoproj.io/enabled: "true"`. */
export function isOptedIn(annotations: Metadata, labels?: Metadata): boolean {
  return lookup(annotations, labels, [OPT_IN_KEY])?.toLowerCase() === "true";
}
