import { BatchWriteItemCommand, DynamoDBClient, ScanCommand, type AttributeValue, type WriteRequest } from "@aws-sdk/client-dynamodb";

/**
 * The state table's TTL attribute (`DynamoStateStore.put` writes it in epoch
 * seconds) and its hash key; serverless.yml turns on TTL for the same name.
 */
export const STATE_TTL = { attribute: "ttl", key: "pk" } as const;

export const SWEEPER_DEFAULTS = {
  intervalMs: 60_000,
  /** Deletes at most this many items per sweep; the next sweep takes the rest. */
  maxDeletesPerSweep: 1_000,
  /** Items examined per Scan page (DynamoDB's `Limit`). */
  scanPageSize: 500,
} as const;

/** BatchWriteItem takes at most 25 requests (DynamoDB API reference, BatchWriteItem). */
const BATCH_LIMIT = 25;
/** Rounds of UnprocessedItems retried before a sweep leaves the rest to the next one. */
const UNPROCESSED_ROUNDS = 3;

export interface SweeperOptions {
  tableName: string;
  client: DynamoDBClient;
  intervalMs?: number;
  maxDeletesPerSweep?: number;
  scanPageSize?: number;
  /** The clock, in epoch seconds (tests and the benchmark move it). */
  now?: () => number;
  /** A failed sweep is reported here and the next one runs as planned. */
  onError?: (error: unknown) => void;
}

/**
 * Deletes state items whose TTL has passed. DynamoDB does this itself once
 * TTL is enabled on the table; dynalite implements neither `UpdateTimeToLive`
 * nor expiry, so without this the local table only grows (about 20 KB per run).
 *
 * It works over the wire like any client: a paginated Scan filtered on
 * `ttl < now` that reads keys only, then BatchWriteItem deletes, bounded per
 * sweep so one sweep never holds the emulator for long. Items without a TTL
 * never match, as on DynamoDB. BatchWriteItem has no conditions, so an item
 * rewritten between the Scan and the delete would be lost: the window is
 * milliseconds against a TTL of days, and an item only expires when its run
 * was not touched for all of them.
 */
export class StateSweeper {
  readonly #options: SweeperOptions;
  readonly #intervalMs: number;
  readonly #maxDeletes: number;
  readonly #pageSize: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;
  /** Items deleted by all sweeps so far. */
  deleted = 0;
  sweeps = 0;

  constructor(options: SweeperOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? SWEEPER_DEFAULTS.intervalMs;
    this.#maxDeletes = options.maxDeletesPerSweep ?? SWEEPER_DEFAULTS.maxDeletesPerSweep;
    this.#pageSize = options.scanPageSize ?? SWEEPER_DEFAULTS.scanPageSize;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    if (!(this.#intervalMs > 0)) throw new RangeError(`sweeper intervalMs must be positive, got ${this.#intervalMs}`);
    if (!(this.#maxDeletes > 0)) throw new RangeError(`sweeper maxDeletesPerSweep must be positive, got ${this.#maxDeletes}`);
  }

  /** Sweeps every `intervalMs`; the timer never keeps the process alive and sweeps never overlap. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One sweep now; resolves with the number of items it deleted. */
  sweep(): Promise<number> {
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.sweep()
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #sweep(): Promise<number> {
    const now = this.#now();
    let deleted = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#options.client.send(
        new ScanCommand({
          TableName: this.#options.tableName,
          // `ttl` is a DynamoDB reserved word: it has to go through a name placeholder.
          FilterExpression: "#ttl < :now",
          ProjectionExpression: "#key",
          ExpressionAttributeNames: { "#ttl": STATE_TTL.attribute, "#key": STATE_TTL.key },
          ExpressionAttributeValues: { ":now": { N: String(now) } },
          Limit: this.#pageSize,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const keys = (page.Items ?? []).slice(0, this.#maxDeletes - deleted);
      for (let i = 0; i < keys.length; i += BATCH_LIMIT) {
        deleted += await this.#delete(keys.slice(i, i + BATCH_LIMIT));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && deleted < this.#maxDeletes);
    this.deleted += deleted;
    this.sweeps++;
    return deleted;
  }

  /** Deletes one batch of keys; returns how many went. */
  async #delete(keys: Array<Record<string, AttributeValue>>): Promise<number> {
    const table = this.#options.tableName;
    let pending: WriteRequest[] = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let round = 0; round < UNPROCESSED_ROUNDS && pending.length > 0; round++) {
      const result = await this.#options.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = result.UnprocessedItems?.[table] ?? [];
    }
    return keys.length - pending.length;
  }
}
