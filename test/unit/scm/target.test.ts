import { describe, expect, it } from "vitest";
import { BITBUCKET_CLOUD_KEY_LIMIT, bitbucketCloudKey, repoLabel, stableKey, truncate } from "../../../shared/scm";

describe("Function: stableKey", () => {
  it("returns the name itself when it fits", () => {
    // Act & Assess
    expect(stableKey("ci/build", 40)).toBe("ci/build");
  });

  it("returns the same key of at most the limit for the same long name, and different keys for names that share a prefix", () => {
    // Prepare
    const prefix = "tekton/pipelines/very-long-namespace-name/";

    // Act
    const first = bitbucketCloudKey(`${prefix}build-and-test`);
    const again = bitbucketCloudKey(`${prefix}build-and-test`);
    const other = bitbucketCloudKey(`${prefix}build-and-deploy`);

    // Assess
    expect(first).toHaveLength(BITBUCKET_CLOUD_KEY_LIMIT);
    expect(first).toBe(again);
    expect(first).not.toBe(other);
    expect(first.startsWith(prefix.slice(0, 27))).toBe(true);
  });
});

describe("Function: truncate", () => {
  it("returns text within the limit, marked with an ellipsis when cut", () => {
    // Act & Assess
    expect(truncate("abcdef", 6)).toBe("abcdef");
    expect(truncate("abcdefg", 6)).toBe("abcde…");
  });
});

describe("Function: repoLabel", () => {
  it("returns the form people use for each provider's repository", () => {
    // Act & Assess
    expect(repoLabel({ kind: "github", owner: "acme", name: "shop" })).toBe("acme/shop");
    expect(repoLabel({ kind: "gitlab", project: "group/sub/shop" })).toBe("group/sub/shop");
    expect(repoLabel({ kind: "gitlab", project: 42 })).toBe("42");
    expect(repoLabel({ kind: "bitbucket-server", project: "PROJ", slug: "shop" })).toBe("PROJ/shop");
  });
});
