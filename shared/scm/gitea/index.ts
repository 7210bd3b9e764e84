/** Gitea and Forgejo (one API): commit statuses. */
import { z } from "zod";
import { httpUrl } from "../../config/url";
import { secretReference } from "../../secrets";
import { defineScm } from "../descriptor";
import { secretCredentialId, webHostOfUrl } from "../receiver-options";
import { GiteaProvider, type GiteaOptions, type GiteaRepo } from "./provider";

const receiverShape = { url: httpUrl(), token: secretReference() };
type ReceiverOptions = z.output<z.ZodObject<typeof receiverShape>>;

const GitRepoBlock = z.object({ url: z.string().url(), owner: z.string().min(1), name: z.string().min(1) });

export const gitea = defineScm<GiteaRepo, ReceiverOptions, z.output<typeof GitRepoBlock>>({
  type: "gitea",
  aliases: ["forgejo"],
  receiver: {
    shape: receiverShape,
    webHost: (options) => webHostOfUrl(options.url),
    resolve: async ({ url, token }, secret, timeoutMs) => ({ url, token: await secret(token, "token"), timeoutMs }),
    credentialId: secretCredentialId,
  },
  gitRepo: {
    key: "gitea",
    schema: GitRepoBlock,
    coordinates: ({ url, owner, name }) => ({ repo: { kind: "gitea", owner, name }, options: { url }, label: `${webHostOfUrl(url)}/${owner}/${name}` }),
  },
  repoRef: (owner, name) => ({ kind: "gitea", owner, name }),
  providerStatus: (ids) => ({ gitea: ids.statusId ? { statusId: ids.statusId } : {} }),
  comments: false,
  connect: (options) => ({ status: new GiteaProvider(options as GiteaOptions) }),
});

export { GiteaProvider, GiteaOptionsSchema, GiteaState, phaseToGiteaState, giteaStateToPhase, type GiteaOptions, type GiteaRepo } from "./provider";
