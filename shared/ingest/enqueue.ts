import type { IngestDeps } from "./deps";
import { ReplayedRequestError } from "./errors";
import type { QueueEntry } from "./queue";

/** One replay claim: a key from StoreKey.signature or StoreKey.cloudEvent and when the ledger may forget it. */
export interface ReplayClaim {
  key: string;
  expiresAt: number;
  /** The 409's message when the key is taken; the ledger's own (about signatures) otherwise. */
  replayed?: string;
}

const releaseAll = async (deps: IngestDeps, claims: readonly ReplayClaim[]): Promise<void> => {
  for (const { key, expiresAt } of claims) {
    await deps.replay.release(key, expiresAt).catch((error: unknown) =>
      deps.log.error("could not release the replay claim of a failed request", { error: (error as Error).message }),
    );
  }
};

/**
 * Claims every key, then enqueues the entries. A claim already taken is a
 * replay: the claims made so far are released and its ReplayedRequestError
 * (409) goes to the client, so nothing of the request is enqueued. When SQS
 * fails every claim is released, so the client may resend the very same
 * request (FIFO deduplication absorbs the entries that did arrive), and the
 * EnqueueError (503) goes to the client.
 */
export const enqueueClaimed = async (deps: IngestDeps, claims: readonly ReplayClaim[], entries: readonly QueueEntry[]): Promise<void> => {
  const made: ReplayClaim[] = [];
  try {
    for (const claim of claims) {
      try {
        await deps.replay.claim(claim.key, claim.expiresAt);
      } catch (error) {
        if (error instanceof ReplayedRequestError && claim.replayed) throw new ReplayedRequestError(claim.replayed);
        throw error;
      }
      made.push(claim);
    }
    await deps.queue.send(entries);
  } catch (error) {
    await releaseAll(deps, made);
    throw error;
  }
};
