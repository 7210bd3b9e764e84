import { describe, expect, it } from "vitest";
import { parseCommitStatusSpec, resolveGitRepo, SyncBlockedError } from "../../../shared/commitstatus";

const creds = { credentialsRef: { ssmParameter: "kube-feedback/scm" } };

describe("Function: resolveGitRepo", () => {
  it.each([
    [{ github: { owner: "acme", name: "shop" } }, "github", "github.com/acme/shop", {}],
    [{ github: { owner: "acme", name: "shop", apiUrl: "https://ghe.example.com/api/v3" } }, "github", "ghe.example.com/acme/shop", { baseUrl: "https://ghe.example.com/api/v3" }],
    [{ gitlab: { project: "group/sub/shop" } }, "gitlab", "gitlab.com/group/sub/shop", {}],
    [{ bitbucketCloud: { workspace: "acme", slug: "shop" } }, "bitbucket-cloud", "bitbucket.org/acme/shop", {}],
    [{ bitbucketServer: { url: "https://bb.example.com", project: "PROJ", slug: "shop" } }, "bitbucket-server", "bb.example.com/PROJ/shop", { url: "https://bb.example.com" }],
    [{ gitea: { url: "https://codeberg.org", owner: "acme", name: "shop" } }, "gitea", "codeberg.org/acme/shop", { url: "https://codeberg.org" }],
  ])("returns the provider type, label and options for %j", (provider, type, label, options) => {
    // Act
    const repo = resolveGitRepo("apps/shop", { ...provider, ...creds }, "shop");

    // Assess
    expect(repo).toMatchObject({ name: "shop", type, label, options, credentials: "ssm:/kube-feedback/scm", driftPolicy: "overwrite" });
  });

  it.each([
    [{ credentialsRef: { secretsManagerArn: "arn:aws:secretsmanager:eu-west-1:1:secret:x" } }, "arn:aws:secretsmanager:eu-west-1:1:secret:x"],
    [{ credentialsRef: { ssmParameter: "arn:aws:ssm:eu-west-1:1:parameter/x" } }, "arn:aws:ssm:eu-west-1:1:parameter/x"],
    [{ credentialsRef: { ssmParameter: "/x/y" } }, "ssm:/x/y"],
  ])("turns credentialsRef %j into the secret reference %s", (ref, expected) => {
    // Act & Assess
    expect(resolveGitRepo("apps/shop", { github: { owner: "a", name: "b" }, ...ref }, "shop").credentials).toBe(expected);
  });

  it("turns credentialsRef.secretKeyRef into a k8s: reference in the GitRepo's own namespace", () => {
    // Act
    const repo = resolveGitRepo("apps/shop", { github: { owner: "a", name: "b" }, credentialsRef: { secretKeyRef: { name: "github-app", key: "credentials.json" } } }, "shop", "apps");

    // Assess
    expect(repo.credentials).toBe("k8s:apps/github-app#credentials.json");
  });

  it.each([
    [{ ...creds }, "exactly one of github"],
    [{ github: { owner: "a", name: "b" }, gitlab: { project: "p" }, ...creds }, "exactly one of github"],
    [{ github: { owner: "a", name: "b" }, credentialsRef: {} }, "credentialsRef: exactly one of ssmParameter, secretsManagerArn or secretKeyRef"],
    [{ github: { owner: "a", name: "b" }, credentialsRef: { ssmParameter: "/x", secretKeyRef: { name: "s", key: "k" } } }, "credentialsRef: exactly one of ssmParameter, secretsManagerArn or secretKeyRef"],
  ])("throws SyncBlockedError naming the problem for %j", (spec, reason) => {
    // Act & Assess
    expect(() => resolveGitRepo("apps/shop", spec, "shop")).toThrow(SyncBlockedError);
    expect(() => resolveGitRepo("apps/shop", spec, "shop")).toThrow(reason);
  });
});

describe("Function: parseCommitStatusSpec", () => {
  const valid = { gitRepoRef: { name: "shop" }, sha: "3f786850e387550fdab836ed7e6dc881de23001b", name: "deploy", phase: "success" };

  it("returns the spec when it is valid", () => {
    // Act & Assess
    expect(parseCommitStatusSpec(valid)).toEqual(valid);
  });

  it.each([
    [{ ...valid, phase: "cancelled" }, 'spec.phase: "cancelled" is not a phase; use "canceled"'],
    [{ ...valid, phase: "done" }, "spec.phase: must be one of queued, in_progress, success, failure, canceled"],
    [{ ...valid, sha: "abc" }, "spec.sha: must be a full commit id"],
    [{ ...valid, url: "http://ci.example.com" }, "spec.url: must be an https:// URL"],
    [{ ...valid, description: "x".repeat(256) }, "spec.description"],
    [{ ...valid, gitRepoRef: undefined }, "spec.gitRepoRef"],
  ])("throws SyncBlockedError naming the field for %j", (spec, message) => {
    // Act & Assess
    expect(() => parseCommitStatusSpec(spec)).toThrow(message);
  });
});
