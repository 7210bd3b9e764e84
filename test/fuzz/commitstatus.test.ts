import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCommitStatusSpec, resolveGitRepo, SyncBlockedError } from "../../shared/commitstatus";
import { dotted, expectNamedRejection, FUZZ, mutationOf } from "./arbitraries";

const SPEC = {
  gitRepoRef: { name: "shop" },
  sha: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
  name: "deploy/production",
  description: "rolling out",
  phase: "in_progress",
  url: "https://argocd.example.com/applications/shop",
};

const CREDENTIALS = { credentialsRef: { ssmParameter: "/kube-feedback/github" } };
const GIT_REPOS = [
  { github: { owner: "acme", name: "shop", apiUrl: "https://ghe.example.com/api/v3" }, ...CREDENTIALS, driftPolicy: "report" },
  { gitlab: { host: "https://gitlab.example.com", project: "group/sub/shop" }, ...CREDENTIALS },
  { bitbucketCloud: { workspace: "acme", slug: "shop" }, credentialsRef: { secretsManagerArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scm" } },
  { bitbucketServer: { url: "https://bitbucket.example.com", project: "PROJ", slug: "shop" }, ...CREDENTIALS },
  { gitea: { url: "https://codeberg.org", owner: "acme", name: "shop" }, ...CREDENTIALS },
];

/** The error's path names the field a mutation broke (`prefix.path`), something inside it, or an object it sits in. */
const expectRelated = (path: string, prefix: string, mutated: string) => {
  const at = `${prefix}.${mutated}`;
  const related = path === at || path.startsWith(`${at}.`) || path.startsWith(`${at}[`) || at.startsWith(`${path}.`) || at.startsWith(`${path}[`);
  expect(related, `mutation at ${at} rejected at ${path}`).toBe(true);
};

describe("Function: parseCommitStatusSpec", () => {
  it("returns a spec or a SyncBlockedError under spec when the spec is any value", () => {
    fc.assert(
      fc.property(fc.anything(), (spec) => {
        try {
          expect(parseCommitStatusSpec(spec).sha).toMatch(/^[0-9a-f]{40}([0-9a-f]{24})?$/);
        } catch (error) {
          const { path } = expectNamedRejection(error, SyncBlockedError);
          expect(path === "spec" || path.startsWith("spec.") || path.startsWith("spec["), path).toBe(true);
        }
      }),
      FUZZ,
    );
  });

  it("names the field a mutation broke when one field of a valid spec is deleted, replaced or added", () => {
    fc.assert(
      fc.property(mutationOf(SPEC), (mutation) => {
        try {
          parseCommitStatusSpec(mutation.value);
        } catch (error) {
          const { path } = expectNamedRejection(error, SyncBlockedError);
          expectRelated(path, "spec", dotted(mutation.path));
        }
      }),
      FUZZ,
    );
  });
});

describe("Function: resolveGitRepo", () => {
  const LABEL = "apps/shop";

  it("returns a repository or a SyncBlockedError under the GitRepo's spec when the spec is any value", () => {
    fc.assert(
      fc.property(fc.anything(), (spec) => {
        try {
          const repo = resolveGitRepo(LABEL, spec, "shop");
          expect(repo.credentials).toMatch(/^(ssm:\/|arn:)/);
        } catch (error) {
          const { path } = expectNamedRejection(error, SyncBlockedError);
          expect(path.startsWith(`GitRepo ${LABEL} spec`), path).toBe(true);
        }
      }),
      FUZZ,
    );
  });

  it.each(GIT_REPOS.map((spec) => [Object.keys(spec)[0]!, spec] as const))(
    "names the field a mutation broke when one field of a valid %s GitRepo is deleted, replaced or added",
    (_provider, spec) => {
      fc.assert(
        fc.property(mutationOf(spec), (mutation) => {
          try {
            const repo = resolveGitRepo(LABEL, mutation.value, "shop");
            expect(repo.label).not.toContain("undefined");
          } catch (error) {
            const { path } = expectNamedRejection(error, SyncBlockedError);
            expectRelated(path, `GitRepo ${LABEL} spec`, dotted(mutation.path));
          }
        }),
        { ...FUZZ, numRuns: 150 },
      );
    },
  );
});
