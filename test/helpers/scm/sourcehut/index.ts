/** The test-only SCM's descriptor: everything the product needs to know of it. */
import { z } from "zod";
import { httpUrl } from "../../../../shared/config/url";
import { defineScm } from "../../../../shared/scm";
import { secretCredentialId, webHostOfUrl } from "../../../../shared/scm/receiver-options";
import { secretReference } from "../../../../shared/secrets";
import { SourcehutProvider, type SourcehutRepo, type SourcehutWrite } from "./provider";

/** Every status the test SCM was sent, oldest first. */
export const sourcehutWrites: SourcehutWrite[] = [];

const receiverShape = { url: httpUrl(), token: secretReference() };
type ReceiverOptions = z.output<z.ZodObject<typeof receiverShape>>;
const GitRepoBlock = z.object({ url: z.string().url(), owner: z.string().min(1), name: z.string().min(1) });

export const sourcehut = defineScm<SourcehutRepo, ReceiverOptions, z.output<typeof GitRepoBlock>>({
  type: "sourcehut",
  aliases: ["srht"],
  receiver: {
    shape: receiverShape,
    webHost: (options) => webHostOfUrl(options.url),
    resolve: async ({ url, token }, secret) => ({ url, token: await secret(token, "token") }),
    credentialId: secretCredentialId,
  },
  gitRepo: {
    key: "sourcehut",
    schema: GitRepoBlock,
    coordinates: ({ url, owner, name }) => ({ repo: { kind: "sourcehut", owner, name }, options: { url }, label: `${webHostOfUrl(url)}/${owner}/${name}` }),
  },
  repoRef: (owner, name) => ({ kind: "sourcehut", owner, name }),
  providerStatus: (ids) => ({ sourcehut: ids.statusId ? { jobId: ids.statusId } : {} }),
  comments: false,
  connect: (options) => ({ status: new SourcehutProvider(options as { token: string }, sourcehutWrites) }),
});
