/**
 * A credential's rate limit is shared by everything that uses it: GitHub
 * counts per installation or per token
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api),
 * GitLab per user (https://docs.gitlab.com/security/rate_limits/), Bitbucket
 * Cloud per user or token
 * (https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/).
 * So when one message is told to wait, every other message that would use the
 * same credential waits too, without sending a request: the scm receiver
 * checks the credential's pause before each write and pauses it when a write
 * is refused as a rate limit.
 */
import type { Log } from "../log";
import { CredentialPausedError, RateLimitedError, type RepoRef } from "../scm";
import { StoreKey } from "../store/keys";
import { PauseBoard, type PauseTable } from "../store/pause";
import type { ResolvedProvider } from "./scm-options";

/** The credential a provider's requests for `repo` are counted against, as a pause key part. */
export const credentialOf = (resolved: ResolvedProvider, repo: RepoRef): string => resolved.scm.receiver.credentialId(resolved.options, repo);

/** One board per table, so receivers sharing a credential in one process share what they know of its pause. */
const boards = new WeakMap<PauseTable, PauseBoard>();
export const pauseBoardFor = (table: PauseTable): PauseBoard => {
  let board = boards.get(table);
  if (!board) {
    board = new PauseBoard(table);
    boards.set(table, board);
  }
  return board;
};

export interface CredentialGuardOptions {
  readonly board: PauseBoard;
  /** The SCM's web host: the first part of the pause key. */
  readonly host: string;
  readonly credentialOf: (repo: RepoRef) => string;
  readonly log: Log;
  readonly now?: () => number;
}

export class CredentialGuard {
  readonly #options: CredentialGuardOptions;
  readonly #now: () => number;

  constructor(options: CredentialGuardOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
  }

  /**
   * Runs `call` (SCM requests for `repo`) unless the credential is paused:
   * then throws CredentialPausedError with what is left of the pause. A
   * RateLimitedError from `call` pauses the credential for its delay.
   */
  async run<T>(repo: RepoRef, call: () => Promise<T>): Promise<T> {
    const { board, host, log } = this.#options;
    const key = StoreKey.pause(host, this.#options.credentialOf(repo));
    const until = await board.notBefore(key);
    if (until !== undefined) throw new CredentialPausedError(key, until, this.#now());
    try {
      return await call();
    } catch (error) {
      if (error instanceof RateLimitedError) {
        const pauseUntil = this.#now() + error.retryAfterSeconds * 1000;
        // The message that hit the limit waits for it anyway; a lost mark only lets others try once more.
        await board.pause(key, pauseUntil).catch((cause: unknown) => {
          log.warn("could not record a credential's rate-limit pause", { credential: key, error: (cause as Error).message });
        });
      }
      throw error;
    }
  }
}
