import { describe, expect, it } from "vitest";
import { canonicalHost, gitContext, parseRepoUrl } from "../../../shared/pipeline/git";

describe("Function: canonicalHost", () => {
  it.each<[string, string]>([
    ["github.com", "github.com"],
    ["GitHub.COM", "github.com"],
    ["github.com.", "github.com"],
    [" ghe.example.com ", "ghe.example.com"],
    ["ghe.example.com:443", "ghe.example.com"],
    ["ghe.example.com:80", "ghe.example.com"],
    ["ghe.example.com:", "ghe.example.com"],
    ["ghe.example.com:8443", "ghe.example.com:8443"],
    ["ghe.example.com:08443", "ghe.example.com:8443"],
    ["127.0.0.1:41234", "127.0.0.1:41234"],
    ["[::1]:41234", "[::1]:41234"],
    ["[::1]:443", "[::1]"],
  ])("returns %j as %j", (host, expected) => {
    // Act
    const canonical = canonicalHost(host);

    // Assess
    expect(canonical).toBe(expected);
  });
});

describe("Function: parseRepoUrl (host)", () => {
  it.each<[string, string]>([
    ["https://GHE.Example.com/acme/shop", "ghe.example.com"],
    ["https://ghe.example.com:443/acme/shop", "ghe.example.com"],
    ["http://ghe.example.com:80/acme/shop", "ghe.example.com"],
    ["https://ghe.example.com:8443/acme/shop", "ghe.example.com:8443"],
    ["https://token@github.com./acme/shop.git", "github.com"],
    ["git@GHE.example.com:acme/shop.git", "ghe.example.com"],
    // An ssh port is not the web port: it says nothing about where the web UI is.
    ["ssh://git@GHE.example.com:2222/acme/shop.git", "ghe.example.com"],
    ["http://127.0.0.1:41234/acme/shop", "127.0.0.1:41234"],
  ])("reads the host of %j as %j", (url, expected) => {
    // Act
    const location = parseRepoUrl(url);

    // Assess
    expect(location?.host).toBe(expected);
  });

  it("infers github from a github.com host written with a trailing dot and capitals", () => {
    // Act
    const git = gitContext({ "commit-status.argoproj.io/repo-url": "https://GitHub.com./acme/shop" });

    // Assess
    expect(git).toMatchObject({ host: "github.com", provider: "github", owner: "acme", repo: "shop" });
  });
});
