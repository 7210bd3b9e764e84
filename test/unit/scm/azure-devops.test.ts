import { describe, expect, it } from "vitest";
import { providerStatus, resolveGitRepo, SyncBlockedError } from "../../../shared/commitstatus";
import { parseConfig } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";
import {
  AzureDevOpsProvider,
  azureDevOpsStateToPhase,
  COMMIT_STATUS_PHASES,
  InvalidProviderOptionsError,
  phaseToAzureDevOpsState,
  requireScm,
  UnmappedStateError,
} from "../../../shared/scm";
import { organizationOf } from "../../../shared/scm/azure-devops/organization";

const receiversOf = (options: Record<string, unknown>) =>
  createReceivers(
    parseConfig({
      cluster: "prod",
      watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
      receivers: [{ name: "azdo", type: "scm", options: { provider: "azure-devops", ...options } }],
    }),
  );

const ORG = { organizationUrl: "https://dev.azure.com/acme", token: "env:AZDO_TOKEN" };

describe("Function: phaseToAzureDevOpsState", () => {
  it.each([
    ["queued", "pending"],
    ["in_progress", "pending"],
    ["success", "succeeded"],
    ["failure", "failed"],
    ["canceled", "error"],
  ] as const)("maps %s to %s", (phase, state) => {
    // Act & Assess
    expect(phaseToAzureDevOpsState(phase)).toBe(state);
  });

  it("maps every phase to a state that reads back to a phase of the same state", () => {
    // Act & Assess
    for (const phase of COMMIT_STATUS_PHASES) expect(phaseToAzureDevOpsState(azureDevOpsStateToPhase(phaseToAzureDevOpsState(phase)))).toBe(phaseToAzureDevOpsState(phase));
  });

  it("throws UnmappedStateError for a phase it does not know", () => {
    // Act & Assess
    expect(() => phaseToAzureDevOpsState("toString" as never)).toThrow(UnmappedStateError);
  });
});

describe("Function: azureDevOpsStateToPhase", () => {
  it.each([
    ["pending", "queued"],
    ["succeeded", "success"],
    ["failed", "failure"],
    ["error", "canceled"],
  ])("reads %s back as %s", (state, phase) => {
    // Act & Assess
    expect(azureDevOpsStateToPhase(state)).toBe(phase);
  });

  it.each(["notSet", "notApplicable", "constructor"])("throws UnmappedStateError for %s, which has no phase", (state) => {
    // Act & Assess
    expect(() => azureDevOpsStateToPhase(state)).toThrow(UnmappedStateError);
  });
});

describe("Function: organizationOf", () => {
  it.each([
    ["https://dev.azure.com/Acme", { host: "dev.azure.com", name: "acme", collection: [], label: "dev.azure.com/Acme" }],
    ["https://dev.azure.com/acme/", { host: "dev.azure.com", name: "acme" }],
    ["https://acme.visualstudio.com", { host: "acme.visualstudio.com", name: "acme", label: "acme.visualstudio.com" }],
    ["https://tfs.example.com:8443/tfs/DefaultCollection", { host: "tfs.example.com:8443", collection: ["tfs", "defaultcollection"], label: "tfs.example.com:8443/tfs/DefaultCollection" }],
  ])("reads %s", (url, expected) => {
    // Act & Assess
    expect(organizationOf(url)).toMatchObject(expected);
  });

  it.each([
    ["https://dev.azure.com", /https:\/\/dev.azure.com\/\{organization\}/],
    ["https://dev.azure.com/acme/Shop", /without a project/],
    ["https://acme.visualstudio.com/Shop", /without a path/],
    ["https://tfs.example.com", /must name the collection/],
  ])("says why %s names no organization", (url, reason) => {
    // Act & Assess
    expect(organizationOf(url)).toMatch(reason);
  });
});

describe("Class: AzureDevOpsProvider (options)", () => {
  it.each([
    [{ organizationUrl: "https://dev.azure.com/acme" }, "token", /azure-devops token is required/],
    [{ organizationUrl: "https://dev.azure.com", token: "t" }, "organizationUrl", /azure-devops organizationUrl must be the organization's URL/],
    [{ organizationUrl: "https://dev.azure.com/acme", token: "t", apiVersion: "7.2" }, "apiVersion", /must be one of 5.0, 6.0, 7.0, 7.1/],
    [{ organizationUrl: "https://dev.azure.com/acme", token: "t", project: "Shop" }, "project", /option "project" is not supported/],
  ])("throws InvalidProviderOptionsError naming the option for %j", (options, path, message) => {
    // Act
    const error = (() => {
      try {
        new AzureDevOpsProvider(options as never);
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(InvalidProviderOptionsError);
    expect(error).toMatchObject({ path, message: expect.stringMatching(message) });
  });
});

describe("scm receiver options for azure-devops", () => {
  it("accepts an organization, a token by reference and an API version", () => {
    // Act & Assess
    expect(() => receiversOf({ ...ORG, apiVersion: "7.0" })).not.toThrow();
  });

  it.each([
    [{ ...ORG, organizationUrll: "https://dev.azure.com/acme" }, /receivers\[0\]\.options\.organizationUrll: unknown key/],
    [{ ...ORG, token: "a-plain-pat" }, /receivers\[0\]\.options\.token/],
    [{ token: ORG.token }, /receivers\[0\]\.options\.organizationUrl: is required/],
    [{ ...ORG, organizationUrl: "https://dev.azure.com/acme/Shop" }, /receivers\[0\]\.options\.organizationUrl: must be the organization's URL/],
    [{ ...ORG, apiVersion: "4.1" }, /receivers\[0\]\.options\.apiVersion: must be one of 5.0, 6.0, 7.0, 7.1/],
    [{ ...ORG, comment: { enabled: true } }, /receivers\[0\]\.options\.comment\.enabled: comments are supported on .*, not azure-devops/],
  ])("stops at start naming the key for %j", (options, message) => {
    // Act & Assess
    expect(() => receiversOf(options)).toThrow(message);
  });
});

describe("GitRepo azureDevOps block", () => {
  const creds = { credentialsRef: { ssmParameter: "/kube-feedback/azdo" } };

  it("resolves to the azure-devops provider, its organization and a label naming the organization", () => {
    // Act
    const gitRepo = resolveGitRepo("apps/shop", { azureDevOps: { organizationUrl: "https://dev.azure.com/acme/", project: "Shop", repository: "shop-api" }, ...creds }, "shop");

    // Assess
    expect(gitRepo).toMatchObject({
      type: "azure-devops",
      repo: { kind: "azure-devops", project: "Shop", repository: "shop-api" },
      options: { organizationUrl: "https://dev.azure.com/acme" },
      label: "dev.azure.com/acme/Shop/shop-api",
    });
  });

  it("passes a Server's API version on to the provider", () => {
    // Act
    const gitRepo = resolveGitRepo("apps/shop", { azureDevOps: { organizationUrl: "https://tfs.example.com/tfs/Main", project: "Shop", repository: "api", apiVersion: "7.0" }, ...creds }, "shop");

    // Assess
    expect(gitRepo.options).toEqual({ organizationUrl: "https://tfs.example.com/tfs/Main", apiVersion: "7.0" });
    expect(() => requireScm(gitRepo.type).connect({ ...gitRepo.options, token: "pat" })).not.toThrow();
  });

  it("blocks the sync naming the field when the organization URL names a project", () => {
    // Act & Assess
    expect(() => resolveGitRepo("apps/shop", { azureDevOps: { organizationUrl: "https://dev.azure.com/acme/Shop", project: "Shop", repository: "api" }, ...creds }, "shop")).toThrow(
      new SyncBlockedError("GitRepo apps/shop spec.azureDevOps.organizationUrl", "must be the organization's URL, https://dev.azure.com/{organization}, without a project"),
    );
  });

  it("records the status id under status.provider.azureDevOps", () => {
    // Act & Assess
    expect(providerStatus("azure-devops", { statusId: 41 })).toEqual({ azureDevOps: { statusId: 41 } });
  });
});
