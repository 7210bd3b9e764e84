/** One message of the operations queue, as the relay received it. */
export interface ReceivedOperation {
  /** The message's id, for log lines. */
  id: string;
  body: string;
  /** What settles it: an SQS receipt handle. */
  handle: string;
  /** Receives so far, this one included (SQS ApproximateReceiveCount). */
  receiveCount: number;
}

/** What becomes of each received message after one round. */
export interface Settlement {
  /** Applied, or never to be applied (gone, refused): deleted. */
  done: string[];
  /** Back on the queue after a wait (a conflict, a 5xx, the API server unreachable). */
  retry: Array<{ handle: string; delaySeconds: number }>;
}

/**
 * Where a relay gets its cluster's operations: the operations queue itself
 * (SQS, with the relay's own AWS identity) or the ingest function, which
 * reads that queue for relays on the webhook sink (and uses the SQS source
 * for it). A message neither done nor retried (RBAC missing) is left alone
 * and comes back after the queue's visibility timeout.
 */
export interface OperationSource {
  /** `sqs`, `ingest`: for logs. */
  readonly name: string;
  /** Waits up to `waitSeconds` for messages (long poll); an aborted wait resolves empty or rejects. */
  receive(waitSeconds: number, signal: AbortSignal): Promise<ReceivedOperation[]>;
  settle(settlement: Settlement): Promise<void>;
}
