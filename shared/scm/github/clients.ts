/**
 * Octokit clients for the GitHub provider: one for a token, or one per
 * GitHub App installation. With App credentials and no installation id, the
 * installation is looked up per repository (`GET /repos/{owner}/{repo}/installation`,
 * authenticated with the App's JWT) once per process and remembered;
 * @octokit/auth-app then mints and caches the installation token.
 */
import { createPrivateKey } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { z } from "zod";
import { toScmError, type HttpFailure } from "../classify";
import { logger } from "../../log";
import { InvalidProviderOptionsError } from "../errors";
import { DEFAULT_TIMEOUT_MS, httpUrl, parseProviderOptions, requiredText, timeoutMs } from "../options";

const POSITIVE_ID = "github app appId must be a positive integer";

/**
 * Octokit logs every failed request at error level; we rethrow each one as a
 * classified ScmError that the caller reports, so its own line is debug.
 */
const OCTOKIT_LOG = {
  debug: (message: string) => logger.debug(message),
  info: (message: string) => logger.debug(message),
  warn: (message: string) => logger.warn(message),
  error: (message: string) => logger.debug(message),
};

export const GitHubOptionsSchema = z
  .strictObject({
    /** API root; `https://ghe.example.com/api/v3` for GitHub Enterprise Server. Defaults to `https://api.github.com`. */
    baseUrl: httpUrl("github baseUrl").optional(),
    /** A token (fine-grained or classic): statuses only, GitHub lets only Apps write check runs. */
    token: requiredText("github token").optional(),
    /** GitHub App credentials: check runs. */
    app: z
      .strictObject({
        appId: z.union([z.number().int({ error: POSITIVE_ID }).positive({ error: POSITIVE_ID }), requiredText("github app appId")], {
          error: "github app appId must be the App's numeric id or its client id",
        }),
        // Keys kept in environment variables often carry `\n` escapes instead of line breaks.
        privateKey: requiredText("github app privateKey").transform((key) => key.replace(/\\n/g, "\n")),
        installationId: z.number().int().positive({ error: "github app installationId must be a positive integer" }).optional(),
      })
      .optional(),
    timeoutMs: timeoutMs("github timeoutMs").optional(),
  })
  .superRefine((options, ctx) => {
    if ((options.token === undefined) === (options.app === undefined)) {
      ctx.addIssue({ code: "custom", path: ["token"], message: "github needs exactly one of token or app credentials" });
    }
  });
export type GitHubOptions = z.input<typeof GitHubOptionsSchema>;
export type ParsedGitHubOptions = z.output<typeof GitHubOptionsSchema>;

export const parseGitHubOptions = (options: GitHubOptions): ParsedGitHubOptions => {
  const parsed = parseProviderOptions("github", GitHubOptionsSchema, options);
  if (parsed.app) {
    try {
      createPrivateKey(parsed.app.privateKey);
    } catch (cause) {
      throw new InvalidProviderOptionsError("app.privateKey", "github app privateKey is not a PEM private key", { cause });
    }
  }
  return parsed;
};

/** What Octokit's RequestError carries, in the classifier's terms. */
export const failureOf = (error: unknown): HttpFailure => {
  const e = error as { status?: unknown; message?: unknown; response?: { headers?: Record<string, string> } } | undefined;
  const status = typeof e?.status === "number" ? e.status : undefined;
  return {
    // Octokit reports network failures and timeouts as status 500: transient either way.
    status,
    headers: e?.response?.headers,
    message: typeof e?.message === "string" ? e.message : String(error),
    cause: error,
  };
};

export const statusOf = (error: unknown): number | undefined => failureOf(error).status;

export class GitHubClients {
  readonly #options: ParsedGitHubOptions;
  #shared: Octokit | undefined;
  readonly #byInstallation = new Map<number, Octokit>();
  readonly #installationOf = new Map<string, Promise<number>>();

  constructor(options: ParsedGitHubOptions) {
    this.#options = options;
  }

  get usesApp(): boolean {
    return this.#options.app !== undefined;
  }

  /** The App's numeric id, which filters check runs to our own; undefined for a client id or a token. */
  get appId(): number | undefined {
    const id = this.#options.app?.appId;
    return typeof id === "number" ? id : /^\d+$/.test(id ?? "") ? Number(id) : undefined;
  }

  /** The client that may write to `owner/repo`. */
  async forRepo(owner: string, repo: string): Promise<Octokit> {
    const { app, token } = this.#options;
    if (!app) return (this.#shared ??= this.#create({ auth: token }));
    if (app.installationId !== undefined) return this.#forInstallation(app.installationId);
    const key = `${owner}/${repo}`.toLowerCase();
    let lookup = this.#installationOf.get(key);
    if (!lookup) {
      lookup = this.#lookUpInstallation(owner, repo);
      this.#installationOf.set(key, lookup);
      // A failed lookup is not remembered: the App may be installed by the next attempt.
      lookup.catch(() => this.#installationOf.delete(key));
    }
    return this.#forInstallation(await lookup);
  }

  /**
   * Drops what was learnt about a repository's installation, after a 401 or
   * 404: the App may have been reinstalled under a new installation id.
   */
  forget(owner: string, repo: string): void {
    this.#installationOf.delete(`${owner}/${repo}`.toLowerCase());
  }

  async #lookUpInstallation(owner: string, repo: string): Promise<number> {
    const app = this.#options.app!;
    this.#shared ??= this.#create({ authStrategy: createAppAuth, auth: { appId: app.appId, privateKey: app.privateKey } });
    try {
      const { data } = await this.#shared.rest.apps.getRepoInstallation({ owner, repo, request: this.requestOptions() });
      return data.id;
    } catch (error) {
      throw toScmError(failureOf(error), {
        provider: "github",
        repo: `${owner}/${repo}`,
        action: `looking up the installation of GitHub App ${app.appId}`,
        permission: `the GitHub App must be installed on ${owner}/${repo}`,
      });
    }
  }

  #forInstallation(installationId: number): Octokit {
    let client = this.#byInstallation.get(installationId);
    if (!client) {
      const app = this.#options.app!;
      client = this.#create({ authStrategy: createAppAuth, auth: { appId: app.appId, privateKey: app.privateKey, installationId } });
      this.#byInstallation.set(installationId, client);
    }
    return client;
  }

  #create(auth: Pick<NonNullable<ConstructorParameters<typeof Octokit>[0]>, "auth" | "authStrategy">): Octokit {
    return new Octokit({ ...auth, baseUrl: this.#options.baseUrl ?? "https://api.github.com", userAgent: "kube-feedback", log: OCTOKIT_LOG });
  }

  /** Per-request options: a timeout, so a hung GitHub cannot eat the Lambda's budget. */
  requestOptions(): { signal: AbortSignal } {
    return { signal: AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
  }
}
