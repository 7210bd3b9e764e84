import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Disposition } from "../../../shared/errors";
import {
  BitbucketServerProvider,
  createCommitStatusProvider,
  GiteaProvider,
  GitHubProvider,
  InvalidProviderOptionsError,
  ProviderKind,
  scmNames,
  UnsupportedProviderError,
} from "../../../shared/scm/providers";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

describe("Function: createCommitStatusProvider", () => {
  it("returns a provider of the requested kind for every registered type", async () => {
    // Prepare
    const options: Record<string, unknown> = {
      github: { token: "ghp_x" },
      gitlab: { token: "glpat-x" },
      "bitbucket-cloud": { token: "x" },
      "bitbucket-server": { url: "https://bitbucket.example.com", token: "x" },
      "bitbucket-datacenter": { url: "https://bitbucket.example.com", token: "x" },
      gitea: { url: "https://gitea.example.com", token: "x" },
      forgejo: { url: "https://codeberg.org", token: "x" },
      "azure-devops": { organizationUrl: "https://dev.azure.com/acme", token: "x" },
      "github-enterprise": { baseUrl: "https://ghe.example.com/api/v3", token: "x" },
    };

    // Act
    const kinds = (await Promise.all(scmNames().map((type) => createCommitStatusProvider(type, options[type])))).map((provider) => provider.kind);

    // Assess
    expect(kinds).toEqual(["github", "gitlab", "bitbucket-cloud", "bitbucket-server", "gitea", "azure-devops", "github", "bitbucket-server", "gitea"]);
  });

  it("throws UnsupportedProviderError when the type is unknown", async () => {
    // Act & Assess
    await expect(createCommitStatusProvider("sourcehut", {})).rejects.toThrow(UnsupportedProviderError);
    await expect(createCommitStatusProvider("sourcehut", {})).rejects.toThrow(/^provider "sourcehut" not supported \(known: github, gitlab/);
  });

  it.each([
    ["gitlab", { token: "" }, "token", "gitlab token cannot be empty"],
    ["gitlab", { token: "   " }, "token", "gitlab token cannot be empty"],
    ["gitlab", {}, "token", "gitlab token is required"],
    ["gitlab", { token: "x", host: "gitlab.example.com" }, "host", "gitlab host must be an http(s) URL"],
    ["gitlab", { token: "x", hots: "https://gitlab.example.com" }, "hots", 'gitlab option "hots" is not supported'],
    ["github", {}, "token", "github needs exactly one of token or app credentials"],
    ["github", { token: "x", app: { appId: 1, privateKey } }, "token", "github needs exactly one of token or app credentials"],
    ["github", { app: { appId: 1, privateKey: "not a key" } }, "app.privateKey", "github app privateKey is not a PEM private key"],
    ["github", { app: { appId: -3, privateKey } }, "app.appId", "github app appId must be a positive integer"],
    ["github", { app: { appId: true, privateKey } }, "app.appId", "github app appId must be the App's numeric id or its client id"],
    ["bitbucket-cloud", {}, "token", "bitbucket-cloud token cannot be empty (or give username and password)"],
    ["bitbucket-cloud", { username: "me" }, "password", "bitbucket-cloud password cannot be empty when basic credentials are used"],
    ["bitbucket-server", { token: "x" }, "url", "bitbucket-server url is required"],
    ["gitea", { url: "https://gitea.example.com", token: 5 }, "token", "gitea token must be a string"],
  ].map(([type, options, path, message]) => ({ type: type as string, options, path, message })))(
    "throws InvalidProviderOptionsError saying '$message' when $type options are invalid",
    async ({ type, options, path, message }) => {
    // Act
    let thrown: unknown;
    try {
      await createCommitStatusProvider(type, options);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(InvalidProviderOptionsError);
    expect(thrown).toMatchObject({ path, message, disposition: Disposition.InvalidInput });
    },
  );
});

describe("Class: GitHubProvider", () => {
  describe("Method: constructor", () => {
    it("accepts a private key whose line breaks are escaped, as environment variables carry them", () => {
      // Prepare
      const escaped = privateKey.replace(/\n/g, "\\n");

      // Act
      const provider = new GitHubProvider({ app: { appId: 7, privateKey: escaped, installationId: 3 } });

      // Assess
      expect(provider.usesChecks).toBe(true);
      expect(provider.kind).toBe(ProviderKind.GitHub);
    });

    it("uses commit statuses when only a token is given", () => {
      // Act
      const provider = new GitHubProvider({ token: "ghp_x", baseUrl: "https://ghe.example.com/api/v3/" });

      // Assess
      expect(provider.usesChecks).toBe(false);
      expect(provider.stateOf("in_progress")).toBe("pending");
    });
  });
});

describe("Class: BitbucketServerProvider", () => {
  describe("Method: render", () => {
    it("returns the description cut to 255 characters and no details", () => {
      // Prepare
      const provider = new BitbucketServerProvider({ url: "https://bitbucket.example.com", username: "ci", password: "secret" });

      // Act
      const rendered = provider.render({ phase: "success", description: "d".repeat(300), details: "| a |" });

      // Assess
      expect(rendered.description).toHaveLength(255);
      expect(rendered.description.endsWith("…")).toBe(true);
      expect(rendered.details).toBeUndefined();
    });
  });
});

describe("Class: GiteaProvider", () => {
  describe("Method: setStatus", () => {
    it("rejects a target of another provider before any request", async () => {
      // Prepare
      const provider = new GiteaProvider({ url: "http://127.0.0.1:1", token: "x" });
      const target = { repo: { kind: "github", owner: "acme", name: "shop" } as const, sha: "a".repeat(40), name: "ci" };

      // Act & Assess
      await expect(provider.setStatus(target, { phase: "queued" })).rejects.toThrow(
        "invalid status target: repo.kind: a gitea provider cannot write to a github repository",
      );
    });
  });
});
