import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ReplayedRequestError } from "./errors";

export interface ReplayGuardOptions {
  tableName: string;
  client?: DynamoDBClient;
  now?: () => Date;
}

const ClaimState = {
  Claimed: "claimed",
  Released: "released",
} as const;

/**
 * Remembers the signatures of accepted requests and the source and id of
 * accepted CloudEvents (keys from `StoreKey.signature` and
 * `StoreKey.cloudEvent`) in the state table,
 * same pk/version/data/ttl shape as every other item, for the window: a
 * signature's timestamp is refused after it anyway, so the TTL bounds the
 * table.
 *
 * A claim is one conditional PutItem. When enqueuing then fails the claim is
 * released (another PutItem), so that the client may resend the very same
 * signed request instead of losing it.
 */
export class ReplayGuard {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(options: ReplayGuardOptions) {
    this.#table = options.tableName;
    this.#now = options.now ?? (() => new Date());
    this.#doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
  }

  /** Throws ReplayedRequestError when the key was already claimed and not released. */
  async claim(key: string, expiresAtSeconds: number): Promise<void> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: this.#item(key, ClaimState.Claimed, expiresAtSeconds),
          // DynamoDB deletes expired items up to days late; an expired claim is as good as none.
          ConditionExpression: "attribute_not_exists(pk) OR #data.#state = :released OR #ttl < :now",
          ExpressionAttributeNames: { "#data": "data", "#state": "state", "#ttl": "ttl" },
          ExpressionAttributeValues: { ":released": ClaimState.Released, ":now": Math.floor(this.#now().getTime() / 1000) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ReplayedRequestError();
      throw error;
    }
  }

  async release(key: string, expiresAtSeconds: number): Promise<void> {
    await this.#doc.send(new PutCommand({ TableName: this.#table, Item: this.#item(key, ClaimState.Released, expiresAtSeconds) }));
  }

  #item(key: string, state: string, ttl: number) {
    return { pk: key, version: 1, data: { state }, ttl };
  }
}
