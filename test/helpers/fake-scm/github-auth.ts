/**
 * The fake GitHub's credentials: personal access tokens, and the GitHub App
 * flow — a JWT signed with the App's private key (RS256, `iss` = App id,
 * at most 10 minutes long) buys an installation token, which then acts with
 * that installation's permissions on its repositories only.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import { credentialOf, ScmHttpError, type RecordedScmRequest } from "./base";

/** A GitHub App's RSA key pair as PEM: the private key (PKCS#8) for the receiver, the public key for the fake GitHub to check its JWTs. */
export const appKeyPair = (): { privateKey: string; publicKey: string } =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });

export interface FakeGitHubInstallation {
  readonly id: number;
  /** `owner/name` of the repositories it was granted. */
  readonly repos: readonly string[];
  /** Defaults to checks, statuses, pull requests and deployments: write. */
  readonly permissions?: Readonly<Record<string, "read" | "write">>;
}

export interface FakeGitHubApp {
  readonly id: number;
  /** The App's public key (PEM or KeyObject); tests generate the pair with node:crypto. */
  readonly publicKey: string | KeyObject;
  readonly installations: readonly FakeGitHubInstallation[];
}

export type GitHubCaller =
  | { readonly type: "app" }
  | { readonly type: "installation"; readonly installation: FakeGitHubInstallation }
  | { readonly type: "token" };

/** Installation permissions the fake checks; pull request comments need `pull_requests`, deployments and their statuses `deployments`. */
export type RepoPermission = "checks" | "statuses" | "pull_requests" | "deployments";

const DEFAULT_PERMISSIONS = { checks: "write", statuses: "write", pull_requests: "write", deployments: "write", metadata: "read" } as const;

export const notFound = () => new ScmHttpError(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });

const unauthorized = (message: string) =>
  new ScmHttpError(401, { message, documentation_url: "https://docs.github.com/rest" });

export class FakeGitHubCredentials {
  readonly #app: FakeGitHubApp | undefined;
  readonly #publicKey: KeyObject | undefined;
  readonly #tokens: ReadonlySet<string>;
  readonly #installationTokens = new Map<string, FakeGitHubInstallation>();

  constructor(tokens: readonly string[], app?: FakeGitHubApp) {
    this.#tokens = new Set(tokens);
    this.#app = app;
    this.#publicKey = app ? createPublicKey(app.publicKey) : undefined;
  }

  /** Installation tokens handed out so far. */
  get issuedTokens(): number {
    return this.#installationTokens.size;
  }

  /** Who is calling; a 401 like GitHub's for anything it cannot verify. */
  callerOf(request: RecordedScmRequest): GitHubCaller {
    const credential = credentialOf(request, /^(token|bearer)$/i);
    if (!credential) throw unauthorized("Requires authentication");
    if (credential.split(".").length === 3) {
      this.#verifyJwt(credential);
      return { type: "app" };
    }
    const installation = this.#installationTokens.get(credential);
    if (installation) return { type: "installation", installation };
    if (this.#tokens.has(credential)) return { type: "token" };
    throw unauthorized("Bad credentials");
  }

  /** Who may do what: the App JWT only on App endpoints, installations only on their repositories and permissions. */
  authorizeRepo(request: RecordedScmRequest, repos: readonly string[], repo: string, permission: RepoPermission): GitHubCaller {
    const caller = this.callerOf(request);
    if (caller.type === "app") throw new ScmHttpError(401, { message: "A JSON web token cannot be used to access this endpoint" });
    if (!repos.some((known) => known.toLowerCase() === repo.toLowerCase())) throw notFound();
    if (caller.type === "installation" && !includesRepo(caller.installation, repo)) throw notFound();
    if (permission === "checks" && caller.type === "token") throw new ScmHttpError(403, { message: "You must authenticate via a GitHub App." });
    if (caller.type === "installation") {
      const granted = permissionsOf(caller.installation)[permission];
      const needed = request.method === "GET" ? ["read", "write"] : ["write"];
      if (!granted || !needed.includes(granted)) throw new ScmHttpError(403, { message: "Resource not accessible by integration" });
    }
    return caller;
  }

  installation(id: number): FakeGitHubInstallation | undefined {
    return this.#app?.installations.find((installation) => installation.id === id);
  }

  installationFor(repo: string): FakeGitHubInstallation | undefined {
    return this.#app?.installations.find((installation) => includesRepo(installation, repo));
  }

  get appId(): number | undefined {
    return this.#app?.id;
  }

  issueToken(installation: FakeGitHubInstallation): { token: string; expires_at: string; permissions: Record<string, string> } {
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    this.#installationTokens.set(token, installation);
    return {
      token,
      expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      permissions: { ...permissionsOf(installation) },
    };
  }

  #verifyJwt(jwt: string): void {
    if (!this.#app || !this.#publicKey) throw unauthorized("A JSON web token could not be decoded");
    const [header, payload, signature] = jwt.split(".") as [string, string, string];
    let claims: { iat?: unknown; exp?: unknown; iss?: unknown };
    try {
      const alg = (JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: string }).alg;
      if (alg !== "RS256") throw new Error(`alg ${alg}`);
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
    } catch {
      throw unauthorized("A JSON web token could not be decoded");
    }
    const valid = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), this.#publicKey, Buffer.from(signature, "base64url"));
    if (!valid) throw unauthorized("A JSON web token could not be decoded");
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp, iss } = claims;
    if (String(iss) !== String(this.#app.id)) throw unauthorized(`'Issuer' claim ('iss') must be ${this.#app.id}`);
    if (typeof iat !== "number" || iat > now + 60) throw unauthorized("'Issued at' claim ('iat') must be an Integer representing a time in the past");
    if (typeof exp !== "number" || exp <= now || exp - iat > 660) throw unauthorized("'Expiration time' claim ('exp') is too far in the future or expired");
  }
}

export const includesRepo = (installation: FakeGitHubInstallation, repo: string): boolean =>
  installation.repos.some((granted) => granted.toLowerCase() === repo.toLowerCase());

export const permissionsOf = (installation: FakeGitHubInstallation): Readonly<Record<string, string>> =>
  installation.permissions ?? DEFAULT_PERMISSIONS;
