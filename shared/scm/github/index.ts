/**
 * GitHub and GitHub Enterprise: check runs with an App, commit statuses with
 * a token, pull request comments and deployments on the same clients.
 */
import { z } from "zod";
import { httpUrl } from "../../config/url";
import { canonicalHost } from "../../pipeline/git";
import { secretReference } from "../../secrets";
import { defineScm } from "../descriptor";
import { fingerprint } from "../receiver-options";
import type { GitHubOptions } from "./clients";
import type { GitHubRepo } from "./provider";

/**
 * The web host of a GitHub API root: `https://api.github.com` is github.com,
 * `https://ghe.example.com/api/v3` is ghe.example.com (GitHub Enterprise
 * serves its API under the web host), `https://api.acme.ghe.com` is
 * acme.ghe.com (GitHub Enterprise Cloud with data residency).
 */
export const githubWebHost = (baseUrl: string | undefined): string =>
  baseUrl ? canonicalHost(new URL(baseUrl).host.replace(/^api\./, "")) : "github.com";

const receiverShape = {
  /** GitHub Enterprise Server: `https://ghe.example.com/api/v3`. */
  baseUrl: httpUrl().optional(),
  /** Commit statuses; GitHub lets only Apps write check runs. */
  token: secretReference().optional(),
  /** Check runs. */
  app: z
    .strictObject({
      appId: z.union([z.number().int().positive(), z.string().trim().min(1)], { error: "must be the App's numeric id or its client id" }),
      privateKey: secretReference(),
      installationId: z.number().int().positive().optional(),
    })
    .optional(),
};
type ReceiverOptions = z.output<z.ZodObject<typeof receiverShape>>;

const GitRepoBlock = z.object({ owner: z.string().min(1), name: z.string().min(1), apiUrl: z.string().url().optional() });

export const github = defineScm<GitHubRepo, ReceiverOptions, z.output<typeof GitRepoBlock>>({
  type: "github",
  aliases: ["github-enterprise"],
  receiver: {
    shape: receiverShape,
    refine: (options, ctx) => {
      if ((options.token === undefined) === (options.app === undefined)) {
        ctx.addIssue({ code: "custom", path: ["token"], message: "set exactly one of token (commit statuses) or app (check runs)" });
      }
    },
    webHost: (options) => githubWebHost(options.baseUrl),
    resolve: async ({ baseUrl, token, app }, secret, timeoutMs) => ({
      ...(baseUrl ? { baseUrl } : {}),
      ...(token ? { token: await secret(token, "token") } : {}),
      ...(app
        ? {
            app: {
              appId: app.appId,
              privateKey: await secret(app.privateKey, "app.privateKey"),
              ...(app.installationId !== undefined ? { installationId: app.installationId } : {}),
            },
          }
        : {}),
      timeoutMs,
    }),
    credentialId: (resolved, repo) => {
      // GitHub counts per installation or per token (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api).
      const { app, token } = resolved as GitHubOptions;
      if (app?.installationId !== undefined) return `installation-${app.installationId}`;
      // An App is installed at most once per account, so (App, owner) names the
      // installation without the lookup the provider makes on first use.
      if (app) return `app-${app.appId}@${String(repo.owner ?? "").toLowerCase()}`;
      return `token-${fingerprint(token ?? "")}`;
    },
  },
  gitRepo: {
    key: "github",
    schema: GitRepoBlock,
    coordinates: ({ owner, name, apiUrl }) => ({
      repo: { kind: "github", owner, name },
      options: apiUrl ? { baseUrl: apiUrl } : {},
      label: `${githubWebHost(apiUrl)}/${owner}/${name}`,
    }),
  },
  repoRef: (owner, name) => ({ kind: "github", owner, name }),
  providerStatus: (ids) => ({ github: { ...(ids.checkRunId ? { checkRunId: ids.checkRunId } : {}), ...(ids.statusId ? { statusId: ids.statusId } : {}) } }),
  comments: true,
  // Octokit is loaded on first use: most events of the process function never write to GitHub.
  connect: async (options, want) => {
    const [{ GitHubClients, parseGitHubOptions }, { GitHubCommenter }, { GitHubDeployments }, { GitHubProvider }] = await Promise.all([
      import("./clients"),
      import("./commenter"),
      import("./deployments"),
      import("./provider"),
    ]);
    const clients = new GitHubClients(parseGitHubOptions(options as GitHubOptions));
    return {
      status: new GitHubProvider(options as GitHubOptions, clients),
      ...(want?.comments ? { commenter: new GitHubCommenter(clients) } : {}),
      deployments: new GitHubDeployments(clients),
    };
  },
});
