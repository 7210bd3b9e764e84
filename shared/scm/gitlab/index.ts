/** GitLab.com and self-managed GitLab: commit statuses, merge request notes. */
import { z } from "zod";
import { httpUrl } from "../../config/url";
import { secretReference } from "../../secrets";
import { defineScm } from "../descriptor";
import { secretCredentialId, webHostOfUrl } from "../receiver-options";
import type { GitLabOptions, GitLabRepo } from "./provider";

const receiverShape = {
  /** Self-hosted GitLab: `https://gitlab.example.com`. */
  host: httpUrl().optional(),
  token: secretReference(),
};
type ReceiverOptions = z.output<z.ZodObject<typeof receiverShape>>;

const GitRepoBlock = z.object({ host: z.string().url().optional(), project: z.string().min(1) });

export const gitlab = defineScm<GitLabRepo, ReceiverOptions, z.output<typeof GitRepoBlock>>({
  type: "gitlab",
  aliases: [],
  receiver: {
    shape: receiverShape,
    nestedRepo: true,
    webHost: (options) => (options.host ? webHostOfUrl(options.host) : "gitlab.com"),
    resolve: async ({ host, token }, secret, timeoutMs) => ({ ...(host ? { host } : {}), token: await secret(token, "token"), timeoutMs }),
    // GitLab counts per user (https://docs.gitlab.com/security/rate_limits/): the token stands for one.
    credentialId: secretCredentialId,
  },
  gitRepo: {
    key: "gitlab",
    schema: GitRepoBlock,
    coordinates: ({ host, project }) => ({
      repo: { kind: "gitlab", project },
      options: host ? { host } : {},
      label: `${host ? webHostOfUrl(host) : "gitlab.com"}/${project}`,
    }),
  },
  // Nested groups: everything before the last segment is the namespace path.
  repoRef: (owner, repo) => ({ kind: "gitlab", project: `${owner}/${repo}` }),
  // GitLab files statuses per branch or tag name (https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit).
  refFor: (ref) => ref.replace(/^refs\/(heads|tags)\//, ""),
  providerStatus: (ids) => ({ gitlab: ids.statusId ? { statusId: ids.statusId } : {} }),
  // A merge request's commits, a fork's too, are fetched into the target
  // project under refs/merge-requests/:iid/head
  // (https://docs.gitlab.com/user/project/merge_requests/merge_request_troubleshooting/#check-out-merge-requests-locally-through-the-head-ref),
  // so the target accepts a status for them filed under that ref; PaC's
  // CreateStatus (pkg/provider/gitlab/gitlab.go) tries the source project,
  // then the target, then notes on the merge request.
  forks: { targetRef: (request) => `refs/merge-requests/${request}/head` },
  comments: true,
  // gitbeaker is loaded on first use: most events of the process function never write to GitLab.
  connect: async (options, want) => {
    const [{ GitLabProvider }, { GitLabCommenter }] = await Promise.all([import("./provider"), import("./commenter")]);
    return {
      status: new GitLabProvider(options as GitLabOptions),
      ...(want?.comments ? { commenter: new GitLabCommenter(options as GitLabOptions) } : {}),
    };
  },
});
