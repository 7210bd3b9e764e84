/**
 * Options of the `scm` receiver: one strict schema per provider type (so a
 * GitLab receiver with an `app` key is an error naming that key), secrets by
 * reference only, and the step that turns them into provider options once
 * the secrets are read in `initialize`.
 */
import { z } from "zod";
import { canonicalHost } from "../pipeline/git";
import type { ProviderOptionsByType, ProviderType } from "../scm";
import { supportsComments } from "../scm/comments";
import { resolveSecret, secretReference } from "../secrets";
import { DEFAULT_STATUS_NAME, STATUS_NAME_VARIABLES, unknownVariables } from "./scm-status";
import { ALL_EVENTS, eventsOption, httpUrl, timeoutOption } from "./webhook";

const statusNameOption = z
  .string()
  .trim()
  .min(1, "cannot be empty")
  .default(DEFAULT_STATUS_NAME)
  .superRefine((template, ctx) => {
    const unknown = unknownVariables(template);
    if (unknown.length > 0) {
      ctx.addIssue({ code: "custom", message: `unknown variable {{${unknown[0]}}} (known: ${STATUS_NAME_VARIABLES.map((v) => `{{${v}}}`).join(", ")})` });
    }
  });

/** `owner/name`; GitLab also takes nested groups (`group/sub/project`). */
const repoOption = (nested: boolean) =>
  z
    .string()
    .trim()
    .regex(nested ? /^[^/\s]+(\/[^/\s]+)+$/ : /^[^/\s]+\/[^/\s]+$/, nested ? "must be group/project (groups may nest)" : "must be owner/name")
    .optional();

const common = (nestedRepo: boolean) => ({
  statusName: statusNameOption,
  events: eventsOption(ALL_EVENTS),
  /** A pull/merge request comment with the stage table, kept up to date in place. */
  comment: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  /** Post to this repository instead of the run's. */
  repo: repoOption(nestedRepo),
  timeoutSeconds: timeoutOption,
});

/** Bitbucket: a token, or a username with an app password / API token. */
const basicAuth = {
  token: secretReference().optional(),
  username: z.string().trim().min(1, "cannot be empty").optional(),
  password: secretReference().optional(),
};
const oneBitbucketCredential = (options: { token?: string; username?: string; password?: string }, ctx: z.RefinementCtx): void => {
  const basic = options.username !== undefined || options.password !== undefined;
  if (options.token !== undefined && basic) ctx.addIssue({ code: "custom", path: ["token"], message: "set token or username and password, not both" });
  else if (options.token === undefined && !basic) ctx.addIssue({ code: "custom", path: ["token"], message: "is required (or username and password)" });
  else if (basic && options.username === undefined) ctx.addIssue({ code: "custom", path: ["username"], message: "is required with password" });
  else if (basic && options.password === undefined) ctx.addIssue({ code: "custom", path: ["password"], message: "is required with username" });
};

const noComments = (options: { provider: string; comment: { enabled: boolean } }, ctx: z.RefinementCtx): void => {
  if (options.comment.enabled && !supportsComments(options.provider)) {
    ctx.addIssue({ code: "custom", path: ["comment", "enabled"], message: `comments are supported on github and gitlab, not ${options.provider}` });
  }
};

const GitHubOptions = z
  .strictObject({
    provider: z.literal("github"),
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
    ...common(false),
  })
  .superRefine((options, ctx) => {
    if ((options.token === undefined) === (options.app === undefined)) {
      ctx.addIssue({ code: "custom", path: ["token"], message: "set exactly one of token (commit statuses) or app (check runs)" });
    }
  });

const GitLabOptions = z.strictObject({
  provider: z.literal("gitlab"),
  /** Self-hosted GitLab: `https://gitlab.example.com`. */
  host: httpUrl().optional(),
  token: secretReference(),
  ...common(true),
});

const BitbucketCloudOptions = z
  .strictObject({ provider: z.literal("bitbucket-cloud"), baseUrl: httpUrl().optional(), ...basicAuth, ...common(false) })
  .superRefine(oneBitbucketCredential)
  .superRefine(noComments);

const BitbucketServerOptions = z
  .strictObject({ provider: z.enum(["bitbucket-server", "bitbucket-datacenter"]), url: httpUrl(), ...basicAuth, ...common(false) })
  .superRefine(oneBitbucketCredential)
  .superRefine(noComments);

const GiteaOptions = z
  .strictObject({ provider: z.enum(["gitea", "forgejo"]), url: httpUrl(), token: secretReference(), ...common(false) })
  .superRefine(noComments);

const PROVIDERS = "github, gitlab, bitbucket-cloud, bitbucket-server, bitbucket-datacenter, gitea, forgejo";

export const ScmOptions = z.discriminatedUnion("provider", [GitHubOptions, GitLabOptions, BitbucketCloudOptions, BitbucketServerOptions, GiteaOptions], {
  error: (issue) => (issue.code === "invalid_union" ? `provider must be one of ${PROVIDERS}` : undefined),
});
export type ScmOptions = z.output<typeof ScmOptions>;

/** Provider type names in run annotations (Pipelines-as-Code's `git-provider`) that mean the same SCM. */
export const providerAliases = (type: ProviderType): readonly string[] => {
  if (type === "github") return ["github", "github-enterprise"];
  if (type === "bitbucket-server" || type === "bitbucket-datacenter") return ["bitbucket-server", "bitbucket-datacenter"];
  if (type === "gitea" || type === "forgejo") return ["gitea", "forgejo"];
  return [type];
};

/**
 * The web host of a GitHub API root: `https://api.github.com` is github.com,
 * `https://ghe.example.com/api/v3` is ghe.example.com (GitHub Enterprise
 * serves its API under the web host), `https://api.acme.ghe.com` is
 * acme.ghe.com (GitHub Enterprise Cloud with data residency).
 */
export const githubWebHost = (baseUrl: string | undefined): string =>
  baseUrl ? canonicalHost(new URL(baseUrl).host.replace(/^api\./, "")) : "github.com";

/**
 * The one web host whose repositories this receiver serves (statusTargetOf
 * posts only for runs on it). Bitbucket Cloud is bitbucket.org whatever its
 * `baseUrl`: that option only points the client elsewhere (a proxy, a test
 * server), there is no self-hosted Bitbucket Cloud.
 */
export const webHostOf = (options: ScmOptions): string => {
  switch (options.provider) {
    case "github":
      return githubWebHost(options.baseUrl);
    case "gitlab":
      return options.host ? canonicalHost(new URL(options.host).host) : "gitlab.com";
    case "bitbucket-cloud":
      return "bitbucket.org";
    default:
      return canonicalHost(new URL(options.url).host);
  }
};

export interface ResolvedProvider<T extends ProviderType = ProviderType> {
  readonly type: T;
  readonly options: ProviderOptionsByType[T];
}

/** Reads the secrets the options point at; `field` names an option in messages. */
export const resolveProviderOptions = async (options: ScmOptions, field: (path: string) => string): Promise<ResolvedProvider> => {
  const secret = (reference: string, path: string) => resolveSecret(reference, { field: field(path) });
  const timeoutMs = options.timeoutSeconds * 1000;
  switch (options.provider) {
    case "github": {
      const { baseUrl, token, app } = options;
      return {
        type: "github",
        options: {
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
        },
      };
    }
    case "gitlab":
      return { type: "gitlab", options: { ...(options.host ? { host: options.host } : {}), token: await secret(options.token, "token"), timeoutMs } };
    case "gitea":
    case "forgejo":
      return { type: options.provider, options: { url: options.url, token: await secret(options.token, "token"), timeoutMs } };
    case "bitbucket-cloud":
    case "bitbucket-server":
    case "bitbucket-datacenter": {
      const credentials = options.token
        ? { token: await secret(options.token, "token") }
        : { username: options.username, password: await secret(options.password!, "password") };
      const location = options.provider === "bitbucket-cloud" ? (options.baseUrl ? { baseUrl: options.baseUrl } : {}) : { url: options.url };
      return { type: options.provider, options: { ...location, ...credentials, timeoutMs } } as ResolvedProvider;
    }
  }
};
