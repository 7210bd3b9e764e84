import { describe, expect, it } from "vitest";
import { gitContext } from "../../../shared/pipeline/git";
import { PipelinePhase, type PipelineInfo } from "../../../shared/pipeline/types";
import { ScmOptions, webHostOf } from "../../../shared/receivers/scm-options";
import { DEFAULT_STATUS_NAME, statusTargetOf, type TargetSettings } from "../../../shared/receivers/scm-status";
import { repoLabel } from "../../../shared/scm";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const REPO_URL = "commit-status.argoproj.io/repo-url";
const PROVIDER = "pipelinesascode.tekton.dev/git-provider";

/** The settings the receiver builds in initialize(), from options as a user writes them. */
const settingsOf = (options: Record<string, unknown>, repo?: { owner: string; repo: string }): TargetSettings => {
  const parsed = ScmOptions.parse({ token: "env:SCM_HOSTS_TOKEN", ...options });
  return { scm: parsed.scm, webHost: webHostOf(parsed), statusName: DEFAULT_STATUS_NAME, ...(repo ? { repo } : {}) };
};

/** A run whose git context is read from annotations, as the pipeline layer reads it. */
const runWith = (annotations: Record<string, string>): PipelineInfo => ({
  id: "prod/ci/build-x7k2p",
  uid: "uid-1",
  cluster: "prod",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-x7k2p",
  namespace: "ci",
  phase: PipelinePhase.Running,
  stages: [],
  labels: {},
  annotations,
  git: gitContext({ "commit-status.argoproj.io/sha": SHA, ...annotations }),
});

const GITHUB = { provider: "github" };
const GHE = { provider: "github", baseUrl: "https://ghe.example.com/api/v3" };
const GITLAB = { provider: "gitlab" };
const GITLAB_SELF = { provider: "gitlab", host: "https://GitLab.Example.com" };
const BITBUCKET_CLOUD = { provider: "bitbucket-cloud", baseUrl: "http://127.0.0.1:9000" };
const BITBUCKET_SERVER = { provider: "bitbucket-datacenter", url: "https://bitbucket.example.com/" };
const GITEA = { provider: "forgejo", url: "http://git.example.org:3000" };

interface HostCase {
  case: string;
  options: Record<string, unknown>;
  annotations: Record<string, string>;
  /** The `owner/repo` label posted to, or the reason's pattern. */
  expected: string | RegExp;
}

const HOST_CASES: HostCase[] = [
  { case: "github.com run, github.com receiver", options: GITHUB, annotations: { [REPO_URL]: "https://github.com/acme/shop" }, expected: "acme/shop" },
  { case: "github.com run in SSH form and upper case", options: GITHUB, annotations: { [REPO_URL]: "git@GitHub.COM:acme/shop.git" }, expected: "acme/shop" },
  { case: "GHE run, github.com receiver", options: GITHUB, annotations: { [REPO_URL]: "https://ghe.example.com/acme/shop", [PROVIDER]: "github" }, expected: /host ghe.example.com is not this receiver's github.com/ },
  { case: "github.com run, GHE receiver, PaC says github", options: GHE, annotations: { [REPO_URL]: "https://github.com/acme/shop", [PROVIDER]: "github" }, expected: /host github.com is not this receiver's ghe.example.com/ },
  { case: "github.com run, GHE receiver, PaC says github-enterprise", options: GHE, annotations: { [REPO_URL]: "https://github.com/acme/shop", [PROVIDER]: "github-enterprise" }, expected: /host github.com is not/ },
  { case: "GHE run, GHE receiver", options: GHE, annotations: { [REPO_URL]: "https://ghe.example.com/acme/shop", [PROVIDER]: "github-enterprise" }, expected: "acme/shop" },
  { case: "GHE run in SSH form, upper case", options: GHE, annotations: { [REPO_URL]: "git@GHE.Example.com:acme/shop.git" }, expected: "acme/shop" },
  { case: "GHE run with the default port spelled out", options: GHE, annotations: { [REPO_URL]: "https://ghe.example.com:443/acme/shop" }, expected: "acme/shop" },
  { case: "GHE run on another port", options: GHE, annotations: { [REPO_URL]: "https://ghe.example.com:8443/acme/shop" }, expected: /host ghe.example.com:8443 is not/ },
  { case: "GHE host, PaC says gitlab", options: GHE, annotations: { [REPO_URL]: "https://ghe.example.com/acme/shop", [PROVIDER]: "gitlab" }, expected: /is on gitlab, this receiver posts to github/ },
  { case: "github.com run, receiver on api.github.com", options: { provider: "github", baseUrl: "https://api.github.com" }, annotations: { [REPO_URL]: "https://github.com/acme/shop" }, expected: "acme/shop" },
  { case: "no repository URL, PaC names owner and repo", options: GITHUB, annotations: { [PROVIDER]: "github", "pipelinesascode.tekton.dev/url-org": "acme", "pipelinesascode.tekton.dev/url-repository": "shop" }, expected: /host is unknown .*only for github.com/ },
  { case: "gitlab.com run, gitlab.com receiver", options: GITLAB, annotations: { [REPO_URL]: "https://gitlab.com/acme/platform/shop.git" }, expected: "acme/platform/shop" },
  { case: "self-hosted GitLab run, gitlab.com receiver", options: GITLAB, annotations: { [REPO_URL]: "https://gitlab.example.com/acme/shop" }, expected: /host gitlab.example.com is not this receiver's gitlab.com/ },
  { case: "self-hosted GitLab run, its receiver", options: GITLAB_SELF, annotations: { [REPO_URL]: "git@gitlab.example.com:acme/shop.git" }, expected: "acme/shop" },
  { case: "gitlab.com run, self-hosted receiver", options: GITLAB_SELF, annotations: { [REPO_URL]: "https://gitlab.com/acme/shop" }, expected: /host gitlab.com is not this receiver's gitlab.example.com/ },
  { case: "self-hosted GitLab host, PaC says github", options: GITLAB_SELF, annotations: { [REPO_URL]: "https://gitlab.example.com/acme/shop", [PROVIDER]: "github" }, expected: /is on github, this receiver posts to gitlab/ },
  { case: "bitbucket.org run, Bitbucket Cloud receiver (whatever its baseUrl)", options: BITBUCKET_CLOUD, annotations: { [REPO_URL]: "https://bitbucket.org/acme/shop" }, expected: "acme/shop" },
  { case: "Bitbucket Server run, Bitbucket Cloud receiver", options: BITBUCKET_CLOUD, annotations: { [REPO_URL]: "https://bitbucket.example.com/scm/pay/shop.git", [PROVIDER]: "bitbucket-cloud" }, expected: /host bitbucket.example.com is not this receiver's bitbucket.org/ },
  { case: "Bitbucket Server run over ssh on 7999", options: BITBUCKET_SERVER, annotations: { [REPO_URL]: "ssh://git@bitbucket.example.com:7999/pay/shop.git", [PROVIDER]: "bitbucket-server" }, expected: "pay/shop" },
  { case: "Bitbucket Server run, PaC says bitbucket-cloud", options: BITBUCKET_SERVER, annotations: { [REPO_URL]: "https://bitbucket.example.com/scm/pay/shop.git", [PROVIDER]: "bitbucket-cloud" }, expected: /is on bitbucket-cloud, this receiver posts to bitbucket-server/ },
  { case: "bitbucket.org run, Bitbucket Server receiver", options: BITBUCKET_SERVER, annotations: { [REPO_URL]: "https://bitbucket.org/acme/shop" }, expected: /is on bitbucket-cloud/ },
  { case: "Forgejo run on its port", options: GITEA, annotations: { [REPO_URL]: "http://git.example.org:3000/acme/shop", [PROVIDER]: "forgejo" }, expected: "acme/shop" },
  { case: "Gitea run without the web port (ssh form)", options: GITEA, annotations: { [REPO_URL]: "git@git.example.org:acme/shop.git", [PROVIDER]: "gitea" }, expected: /host git.example.org is not this receiver's git.example.org:3000/ },
  { case: "Gitea run on another server", options: GITEA, annotations: { [REPO_URL]: "https://codeberg.org/acme/shop", [PROVIDER]: "gitea" }, expected: /host codeberg.org is not/ },
];

/** The repository posted to, or the reason to skip. */
const outcome = (info: PipelineInfo, settings: TargetSettings): string => {
  const result = statusTargetOf(info, settings);
  return "target" in result ? repoLabel(result.target.repo) : result.skip;
};

describe("Function: statusTargetOf (host isolation)", () => {
  it.each(HOST_CASES)("posts or skips $case", ({ options, annotations, expected }) => {
    // Prepare
    const settings = settingsOf(options);

    // Act
    const result = outcome(runWith(annotations), settings);

    // Assess
    if (typeof expected === "string") expect(result).toBe(expected);
    else expect(result).toMatch(expected);
  });

  it.each<{ case: string; annotations: Record<string, string>; expected: string | RegExp }>([
    { case: "a run naming only a commit", annotations: {}, expected: "ops/deploys" },
    { case: "a run on the receiver's host, another repository", annotations: { [REPO_URL]: "https://ghe.example.com/acme/shop" }, expected: "ops/deploys" },
    { case: "a run on another host", annotations: { [REPO_URL]: "https://github.com/acme/shop", [PROVIDER]: "github" }, expected: /host github.com is not this receiver's ghe.example.com/ },
    { case: "a run naming only a commit, PaC says gitlab", annotations: { [PROVIDER]: "gitlab" }, expected: /is on gitlab/ },
  ])("with a fixed repo, posts or skips $case", ({ annotations, expected }) => {
    // Prepare
    const settings = settingsOf(GHE, { owner: "ops", repo: "deploys" });

    // Act
    const result = outcome(runWith(annotations), settings);

    // Assess
    if (typeof expected === "string") expect(result).toBe(expected);
    else expect(result).toMatch(expected);
  });
});

describe("Function: webHostOf", () => {
  it.each<[Record<string, unknown>, string]>([
    [GITHUB, "github.com"],
    [{ provider: "github", baseUrl: "https://api.github.com" }, "github.com"],
    [{ provider: "github", baseUrl: "https://GHE.example.com:443/api/v3" }, "ghe.example.com"],
    [{ provider: "github", baseUrl: "https://api.acme.ghe.com" }, "acme.ghe.com"],
    [{ provider: "github", baseUrl: "http://127.0.0.1:8123/api/v3" }, "127.0.0.1:8123"],
    [GITLAB, "gitlab.com"],
    [GITLAB_SELF, "gitlab.example.com"],
    [BITBUCKET_CLOUD, "bitbucket.org"],
    [BITBUCKET_SERVER, "bitbucket.example.com"],
    [GITEA, "git.example.org:3000"],
  ])("returns the web host of %j", (options, expected) => {
    // Act
    const host = webHostOf(ScmOptions.parse({ token: "env:SCM_HOSTS_TOKEN", ...options }));

    // Assess
    expect(host).toBe(expected);
  });
});
