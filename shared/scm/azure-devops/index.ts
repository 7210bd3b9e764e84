/**
 * Azure DevOps Services and Server: Git commit statuses, and pull request
 * statuses when the run builds a pull request.
 *
 * A receiver serves one organization (on a Server, one collection), whichever
 * of its hosts a run's URL names: dev.azure.com/{org}, {org}.visualstudio.com
 * and ssh.dev.azure.com are the same organization (organization.ts). Its web
 * host, which keys rate-limit pauses, is dev.azure.com for every Services
 * organization. Rate limits are per identity
 * (https://learn.microsoft.com/azure/devops/integrate/concepts/rate-limits),
 * so one token is one credential.
 */
import { z } from "zod";
import { httpUrl } from "../../config/url";
import { secretReference } from "../../secrets";
import { defineScm } from "../descriptor";
import { secretCredentialId } from "../receiver-options";
import { notInOrganization, organizationOf, projectOf, requireOrganization } from "./organization";
import { API_VERSIONS, AzureDevOpsProvider, type AzureDevOpsOptions, type AzureDevOpsRepo } from "./provider";

/** Checks that the URL names an organization (or a Server collection), with the reason on the key. */
const organizationUrl = () =>
  httpUrl().superRefine((value, ctx) => {
    const organization = URL.canParse(value) ? organizationOf(value) : undefined;
    if (typeof organization === "string") ctx.addIssue({ code: "custom", message: organization });
  });

const apiVersion = () => z.enum(API_VERSIONS, { error: `must be one of ${API_VERSIONS.join(", ")}` }).optional();

const receiverShape = { organizationUrl: organizationUrl(), token: secretReference(), apiVersion: apiVersion() };
type ReceiverOptions = z.output<z.ZodObject<typeof receiverShape>>;

const GitRepoBlock = z.object({
  organizationUrl: organizationUrl(),
  project: z.string().min(1),
  repository: z.string().min(1),
  apiVersion: apiVersion(),
});

/** The organization's URL without a trailing slash, so API paths can be appended. */
const trimmed = (url: string): string => url.replace(/\/+$/, "");

export const azureDevOps = defineScm<AzureDevOpsRepo, ReceiverOptions, z.output<typeof GitRepoBlock>>({
  type: "azure-devops",
  aliases: [],
  receiver: {
    shape: receiverShape,
    webHost: (options) => {
      const organization = requireOrganization(options.organizationUrl);
      return organization.name === undefined ? organization.host : "dev.azure.com";
    },
    elsewhere: (options, location) => notInOrganization(requireOrganization(options.organizationUrl), location),
    resolve: async ({ organizationUrl, token, apiVersion }, secret, timeoutMs) => ({
      organizationUrl: trimmed(organizationUrl),
      token: await secret(token, "token"),
      ...(apiVersion ? { apiVersion } : {}),
      timeoutMs,
    }),
    credentialId: secretCredentialId,
  },
  gitRepo: {
    key: "azureDevOps",
    schema: GitRepoBlock,
    coordinates: ({ organizationUrl, project, repository, apiVersion }) => ({
      repo: { kind: "azure-devops", project, repository },
      options: { organizationUrl: trimmed(organizationUrl), ...(apiVersion ? { apiVersion } : {}) },
      label: `${requireOrganization(organizationUrl).label}/${project}/${repository}`,
    }),
  },
  // `owner` is everything before the repository: `{org}/{project}/_git`, `{project}/_git`, `v3/{org}/{project}`.
  repoRef: (owner, repository) => ({ kind: "azure-devops", project: projectOf(owner), repository }),
  providerStatus: (ids) => ({ azureDevOps: ids.statusId ? { statusId: ids.statusId } : {} }),
  comments: false,
  connect: (options) => ({ status: new AzureDevOpsProvider(options as AzureDevOpsOptions) }),
});

export {
  AzureDevOpsProvider,
  AzureDevOpsOptionsSchema,
  AzureDevOpsState,
  STATUS_GENRE as AZURE_DEVOPS_STATUS_GENRE,
  phaseToAzureDevOpsState,
  azureDevOpsStateToPhase,
  type AzureDevOpsOptions,
  type AzureDevOpsRepo,
} from "./provider";
