/**
 * Pieces of the `scm` receiver's options that several providers share: the
 * Bitbucket credential pair, the web host of a self-hosted server, and the
 * credential a rate limit is counted against.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalHost } from "../pipeline/git";
import { secretReference } from "../secrets";
import type { SecretReader } from "./descriptor";

/** Names a secret without containing it. */
export const fingerprint = (secret: string): string => createHash("sha256").update(secret).digest("hex").slice(0, 16);

/** The host of a server's URL, as run URLs name it. */
export const webHostOfUrl = (url: string): string => canonicalHost(new URL(url).host);

/** A token, or a username with an app password / API token (Bitbucket). */
export const basicAuthShape = {
  token: secretReference().optional(),
  username: z.string().trim().min(1, "cannot be empty").optional(),
  password: secretReference().optional(),
};

export interface BasicAuthOptions {
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

/** Exactly one way to authenticate, reported on the key that is wrong. */
export const oneBasicCredential = (options: BasicAuthOptions, ctx: z.RefinementCtx): void => {
  const basic = options.username !== undefined || options.password !== undefined;
  if (options.token !== undefined && basic) ctx.addIssue({ code: "custom", path: ["token"], message: "set token or username and password, not both" });
  else if (options.token === undefined && !basic) ctx.addIssue({ code: "custom", path: ["token"], message: "is required (or username and password)" });
  else if (basic && options.username === undefined) ctx.addIssue({ code: "custom", path: ["username"], message: "is required with password" });
  else if (basic && options.password === undefined) ctx.addIssue({ code: "custom", path: ["password"], message: "is required with username" });
};

/** Reads whichever credential the options give. */
export const resolveBasicAuth = async (options: BasicAuthOptions, secret: SecretReader): Promise<Record<string, string>> =>
  options.token !== undefined
    ? { token: await secret(options.token, "token") }
    : { username: options.username ?? "", password: await secret(options.password ?? "", "password") };

/** A token or a user is what SCMs count requests against (GitLab per user, Bitbucket per user or token). */
export const secretCredentialId = (resolved: Record<string, unknown>): string => {
  const { token, username, password } = resolved as BasicAuthOptions;
  return token !== undefined ? `token-${fingerprint(token)}` : `basic-${fingerprint(`${username ?? ""}:${password ?? ""}`)}`;
};
