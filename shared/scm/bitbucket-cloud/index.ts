/** Bitbucket Cloud (bitbucket.org): build statuses keyed per status name. */
import { z } from "zod";
import { httpUrl } from "../../config/url";
import { defineScm } from "../descriptor";
import { basicAuthShape, oneBasicCredential, resolveBasicAuth, secretCredentialId } from "../receiver-options";
import { BitbucketCloudProvider, type BitbucketCloudOptions, type BitbucketCloudRepo } from "./provider";

const receiverShape = {
  /** Points the client elsewhere (a proxy); there is no self-hosted Bitbucket Cloud. */
  baseUrl: httpUrl().optional(),
  ...basicAuthShape,
};
type ReceiverOptions = z.output<z.ZodObject<typeof receiverShape>>;

const GitRepoBlock = z.object({ workspace: z.string().min(1), slug: z.string().min(1) });

export const bitbucketCloud = defineScm<BitbucketCloudRepo, ReceiverOptions, z.output<typeof GitRepoBlock>>({
  type: "bitbucket-cloud",
  aliases: [],
  receiver: {
    shape: receiverShape,
    refine: oneBasicCredential,
    // Bitbucket refuses a build status without a link (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-commit-statuses/).
    needsLink: true,
    // bitbucket.org whatever `baseUrl` says: that option only points the client elsewhere.
    webHost: () => "bitbucket.org",
    resolve: async (options, secret, timeoutMs) => ({
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(await resolveBasicAuth(options, secret)),
      timeoutMs,
    }),
    // Per user or token (https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/).
    credentialId: secretCredentialId,
  },
  gitRepo: {
    key: "bitbucketCloud",
    schema: GitRepoBlock,
    coordinates: ({ workspace, slug }) => ({ repo: { kind: "bitbucket-cloud", workspace, slug }, options: {}, label: `bitbucket.org/${workspace}/${slug}` }),
  },
  repoRef: (workspace, slug) => ({ kind: "bitbucket-cloud", workspace, slug }),
  // A branch or tag name, as GitLab.
  refFor: (ref) => ref.replace(/^refs\/(heads|tags)\//, ""),
  providerStatus: (ids) => ({ bitbucket: ids.key ? { key: ids.key } : {} }),
  comments: false,
  connect: (options) => ({ status: new BitbucketCloudProvider(options as BitbucketCloudOptions) }),
});

export {
  BitbucketCloudProvider,
  BitbucketCloudOptionsSchema,
  BitbucketCloudState,
  BITBUCKET_CLOUD_KEY_LIMIT,
  bitbucketCloudKey,
  phaseToBitbucketCloudState,
  bitbucketCloudStateToPhase,
  type BitbucketCloudOptions,
  type BitbucketCloudRepo,
} from "./provider";
