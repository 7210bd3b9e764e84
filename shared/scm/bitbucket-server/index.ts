/** Bitbucket Server and Data Center: build statuses per commit, filed with the full ref. */
import { z } from "zod";
import { httpUrl } from "../../config/url";
import { defineScm } from "../descriptor";
import { basicAuthShape, oneBasicCredential, resolveBasicAuth, secretCredentialId, webHostOfUrl } from "../receiver-options";
import { BitbucketServerProvider, type BitbucketServerOptions, type BitbucketServerRepo } from "./provider";

const receiverShape = { url: httpUrl(), ...basicAuthShape };
type ReceiverOptions = z.output<z.ZodObject<typeof receiverShape>>;

const GitRepoBlock = z.object({ url: z.string().url(), project: z.string().min(1), slug: z.string().min(1) });

export const bitbucketServer = defineScm<BitbucketServerRepo, ReceiverOptions, z.output<typeof GitRepoBlock>>({
  type: "bitbucket-server",
  // Tekton Pipelines-as-Code's name for the same server.
  aliases: ["bitbucket-datacenter"],
  receiver: {
    shape: receiverShape,
    refine: oneBasicCredential,
    // A build status needs a link (https://developer.atlassian.com/server/bitbucket/rest/v815/api-group-builds-and-deployments/).
    needsLink: true,
    webHost: (options) => webHostOfUrl(options.url),
    resolve: async (options, secret, timeoutMs) => ({ url: options.url, ...(await resolveBasicAuth(options, secret)), timeoutMs }),
    credentialId: secretCredentialId,
  },
  gitRepo: {
    key: "bitbucketServer",
    schema: GitRepoBlock,
    coordinates: ({ url, project, slug }) => ({
      repo: { kind: "bitbucket-server", project, slug },
      options: { url },
      label: `${webHostOfUrl(url)}/${project}/${slug}`,
    }),
  },
  // Clone URLs of Bitbucket Server put the project under /scm/.
  repoRef: (owner, slug) => ({ kind: "bitbucket-server", project: owner.replace(/^scm\//i, ""), slug }),
  refFor: (ref) => (ref.startsWith("refs/") ? ref : `refs/heads/${ref}`),
  providerStatus: (ids) => ({ bitbucket: ids.key ? { key: ids.key } : {} }),
  comments: false,
  connect: (options) => ({ status: new BitbucketServerProvider(options as BitbucketServerOptions) }),
});

export {
  BitbucketServerProvider,
  BitbucketServerOptionsSchema,
  BitbucketServerState,
  bitbucketServerKey,
  phaseToBitbucketServerState,
  bitbucketServerStateToPhase,
  type BitbucketServerOptions,
  type BitbucketServerRepo,
} from "./provider";
