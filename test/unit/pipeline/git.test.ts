import { describe, expect, it } from "vitest";
import { isOptedIn, parseRepoUrl, type RepoLocation } from "../../../shared/pipeline/git";
import { metadataOf, OURS, type MetadataCase } from "../../helpers/git-metadata";

describe("Function: parseRepoUrl", () => {
  const at = (host: string, owner: string, repo: string): RepoLocation => ({ host, owner, repo });

  it.each<[string, RepoLocation | undefined]>([
    ["https://github.com/acme/shop-api", at("github.com", "acme", "shop-api")],
    ["https://github.com/acme/shop-api.git/", at("github.com", "acme", "shop-api")],
    ["http://GitHub.example.com:8443/acme/shop-api", at("github.example.com:8443", "acme", "shop-api")],
    ["git@github.com:acme/shop-api.git", at("github.com", "acme", "shop-api")],
    ["github.com:acme/shop-api", at("github.com", "acme", "shop-api")],
    ["ssh://git@bitbucket.example.com:7999/proj/shop-api.git", at("bitbucket.example.com", "proj", "shop-api")],
    ["https://gitlab.com/acme/platform/team/payments.git", at("gitlab.com", "acme/platform/team", "payments")],
    ["https://gitlab.com/acme/platform/payments/-/tree/main", at("gitlab.com", "acme/platform", "payments")],
    ["https://github.com/acme", undefined],
    ["file:///srv/git/shop-api.git", undefined],
    ["shop-api", undefined],
    ["", undefined],
  ])("parses %j", (url, expected) => {
    // Prepare: url above

    // Act
    const location = parseRepoUrl(url);

    // Assess
    expect(location).toStrictEqual(expected);
  });
});

describe("Function: isOptedIn", () => {
  it.each<MetadataCase<boolean>>([
    { name: "the annotation", annotations: { [`${OURS}enabled`]: "true" }, labels: {}, expected: true },
    { name: "the label", annotations: {}, labels: { [`${OURS}enabled`]: "true" }, expected: true },
    { name: "a capitalised value", annotations: { [`${OURS}enabled`]: "True" }, labels: {}, expected: true },
    { name: "false", annotations: { [`${OURS}enabled`]: "false" }, labels: {}, expected: false },
    {
      name: "an annotation overriding the label",
      annotations: { [`${OURS}enabled`]: "false" },
      labels: { [`${OURS}enabled`]: "true" },
      expected: false,
    },
    { name: "yes", annotations: { [`${OURS}enabled`]: "yes" }, labels: {}, expected: false },
    { name: "nothing", annotations: {}, labels: {}, expected: false },
    { name: "the cancelled fixture", ...metadataOf("tekton/pipelinerun-cancelled.yaml"), expected: true },
  ])("returns $expected for $name", ({ annotations, labels, expected }) => {
    // Prepare: annotations and labels above

    // Act
    const optedIn = isOptedIn(annotations, labels);

    // Assess
    expect(optedIn).toBe(expected);
  });
});
