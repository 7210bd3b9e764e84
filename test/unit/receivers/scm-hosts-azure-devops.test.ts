/**
 * Which runs an azure-devops `scm` receiver posts for, and where: one
 * organization (or Server collection), whichever of its URL forms a run's
 * repository URL takes, with the project and repository read from the path.
 */
import { describe, expect, it } from "vitest";
import { gitContext } from "../../../shared/pipeline/git";
import { PipelinePhase, type PipelineInfo } from "../../../shared/pipeline/types";
import { elsewhereOf, ScmOptions, webHostOf } from "../../../shared/receivers/scm-options";
import { DEFAULT_STATUS_NAME, statusTargetOf, type TargetSettings } from "../../../shared/receivers/scm-status";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const REPO_URL = "commit-status.argoproj.io/repo-url";
const PR = "commit-status.argoproj.io/pr";

/** The settings the receiver builds in initialize() (shared/receivers/scm.ts), from options as a user writes them. */
const settingsOf = (organizationUrl: string, repo?: { owner: string; repo: string }): TargetSettings => {
  const parsed = ScmOptions.parse({ provider: "azure-devops", organizationUrl, token: "env:AZDO_TOKEN" });
  const elsewhere = elsewhereOf(parsed);
  return { scm: parsed.scm, webHost: webHostOf(parsed), statusName: DEFAULT_STATUS_NAME, ...(elsewhere ? { elsewhere } : {}), ...(repo ? { repo } : {}) };
};

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

/** The repository posted to (`project/repository`, `#pr` when there is one), or the reason to skip. */
const outcome = (info: PipelineInfo, settings: TargetSettings): string => {
  const result = statusTargetOf(info, settings);
  if ("skip" in result) return result.skip;
  const { repo, pullRequest } = result.target;
  return `${String(repo.project)}/${String(repo.repository)}${pullRequest === undefined ? "" : `#${pullRequest}`}`;
};

const SERVICES = "https://dev.azure.com/acme";

describe("Function: statusTargetOf (azure-devops)", () => {
  it.each<{ case: string; org?: string; url: string; expected: string | RegExp }>([
    { case: "dev.azure.com https", url: "https://dev.azure.com/acme/Shop/_git/shop-api", expected: "Shop/shop-api" },
    { case: "dev.azure.com https with the user the Clone dialog adds", url: "https://acme@dev.azure.com/acme/Shop/_git/shop-api", expected: "Shop/shop-api" },
    { case: "the older {org}.visualstudio.com", url: "https://acme.visualstudio.com/Shop/_git/shop-api", expected: "Shop/shop-api" },
    { case: "the older host with DefaultCollection", url: "https://Acme.visualstudio.com/DefaultCollection/Shop/_git/shop-api", expected: "Shop/shop-api" },
    { case: "ssh", url: "git@ssh.dev.azure.com:v3/acme/Shop/shop-api", expected: "Shop/shop-api" },
    { case: "ssh on the older host", url: "acme@vs-ssh.visualstudio.com:v3/acme/Shop/shop-api", expected: "Shop/shop-api" },
    { case: "a project name with a space", url: "https://dev.azure.com/acme/Web%20Team/_git/portal", expected: "Web Team/portal" },
    { case: "organization names without case", url: "https://dev.azure.com/ACME/Shop/_git/shop-api", expected: "Shop/shop-api" },
    { case: "a receiver on the older host, a run on dev.azure.com", org: "https://acme.visualstudio.com", url: "https://dev.azure.com/acme/Shop/_git/shop-api", expected: "Shop/shop-api" },
    { case: "another organization on dev.azure.com", url: "https://dev.azure.com/other/Shop/_git/shop-api", expected: /organization other, this receiver posts to acme/ },
    { case: "another organization over ssh", url: "git@ssh.dev.azure.com:v3/other/Shop/shop-api", expected: /organization other/ },
    { case: "another organization on the older host", url: "https://other.visualstudio.com/Shop/_git/shop-api", expected: /organization other/ },
    { case: "a URL without the project", url: "https://dev.azure.com/acme/_git/shop-api", expected: /does not name one project/ },
    { case: "a run on another server", url: "https://git.example.org/acme/shop", expected: /host git.example.org is not Azure DevOps Services/ },
    { case: "a run on GitHub", url: "https://github.com/acme/shop", expected: /is on github, this receiver posts to azure-devops/ },
    { case: "a Server run, its collection", org: "https://tfs.example.com/tfs/DefaultCollection", url: "https://tfs.example.com/tfs/DefaultCollection/Shop/_git/shop-api", expected: "Shop/shop-api" },
    { case: "a Server run over ssh", org: "https://tfs.example.com/tfs/DefaultCollection", url: "ssh://tfs.example.com:22/tfs/DefaultCollection/Shop/_git/shop-api", expected: "Shop/shop-api" },
    { case: "a Server run in another collection", org: "https://tfs.example.com/tfs/DefaultCollection", url: "https://tfs.example.com/tfs/Other/Shop/_git/shop-api", expected: /not in this receiver's collection tfs.example.com\/tfs\/DefaultCollection/ },
    { case: "a Services run, Server receiver", org: "https://tfs.example.com/tfs/DefaultCollection", url: "https://dev.azure.com/acme/Shop/_git/shop-api", expected: /host dev.azure.com is not this receiver's tfs.example.com/ },
  ])("posts or skips $case", ({ org, url, expected }) => {
    // Act
    const result = outcome(runWith({ [REPO_URL]: url }), settingsOf(org ?? SERVICES));

    // Assess
    if (typeof expected === "string") expect(result).toBe(expected);
    else expect(result).toMatch(expected);
  });

  it("carries the run's pull request to the target", () => {
    // Act & Assess
    expect(outcome(runWith({ [REPO_URL]: "https://dev.azure.com/acme/Shop/_git/shop-api", [PR]: "17" }), settingsOf(SERVICES))).toBe("Shop/shop-api#17");
  });

  it("posts to a fixed project/repository for runs of its organization only", () => {
    // Prepare
    const settings = settingsOf(SERVICES, { owner: "Ops", repo: "deploys" });

    // Act & Assess
    expect(outcome(runWith({ [REPO_URL]: "git@ssh.dev.azure.com:v3/acme/Shop/shop-api" }), settings)).toBe("Ops/deploys");
    expect(outcome(runWith({}), settings)).toBe("Ops/deploys");
    expect(outcome(runWith({ [REPO_URL]: "https://dev.azure.com/other/Shop/_git/shop-api" }), settings)).toMatch(/organization other/);
  });

  it("keys rate-limit pauses on dev.azure.com for every form of a Services organization", () => {
    // Act & Assess
    expect(settingsOf("https://acme.visualstudio.com").webHost).toBe("dev.azure.com");
    expect(settingsOf(SERVICES).webHost).toBe("dev.azure.com");
    expect(settingsOf("https://tfs.example.com:8443/tfs/DefaultCollection").webHost).toBe("tfs.example.com:8443");
  });
});
