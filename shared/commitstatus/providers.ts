import { createCommitStatusProvider, ScmError, type CommitStatusProvider } from "../scm";
import { resolveSecret } from "../secrets";
import { SyncBlockedError } from "./errors";
import type { ResolvedGitRepo } from "./spec";

/** Reads a credentials reference (`ssm:/…`, an SSM or Secrets Manager ARN, `env:` locally). */
export type CredentialsResolver = (reference: string) => Promise<string>;

/**
 * The secret holds the provider's credentials as JSON (`{"token": "…"}`,
 * `{"app": {"appId": 1, "privateKey": "…", "installationId": 2}}`,
 * `{"username": "…", "password": "…"}`) or a bare token.
 */
const credentialsOf = (value: string): Record<string, unknown> => {
  const text = value.trim();
  if (!text.startsWith("{")) return { token: text };
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SyncBlockedError("credentialsRef", "the secret looks like JSON but does not parse");
  }
};

/**
 * Providers per GitRepo, built once per cold start: octokit caches its
 * installation token inside the provider, so reuse saves a token request per
 * event. Failures to read or use the credentials block the sync with a
 * message that names the reference, never the secret.
 */
export const providerCache = (
  resolve: CredentialsResolver = (reference) => resolveSecret(reference, { field: "credentialsRef" }),
): ((gitRepo: ResolvedGitRepo) => Promise<CommitStatusProvider>) => {
  const cache = new Map<string, Promise<CommitStatusProvider>>();
  return (gitRepo) => {
    const key = JSON.stringify([gitRepo.type, gitRepo.options, gitRepo.credentials]);
    let provider = cache.get(key);
    if (!provider) {
      provider = (async () => {
        let secret: string;
        try {
          secret = await resolve(gitRepo.credentials);
        } catch (cause) {
          throw new SyncBlockedError("credentialsRef", `cannot read ${gitRepo.credentials}: ${(cause as Error).message}`, { cause });
        }
        try {
          return await createCommitStatusProvider(gitRepo.type, { ...gitRepo.options, ...credentialsOf(secret) });
        } catch (cause) {
          if (cause instanceof ScmError) throw new SyncBlockedError("credentialsRef", cause.message, { cause });
          throw cause;
        }
      })();
      cache.set(key, provider);
      // A failed build is not cached: fixing the secret must not need a cold start.
      provider.catch(() => cache.delete(key));
    }
    return provider;
  };
};
