import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ReplayedRequestError } from "./errors";

export interface ReplayGuardOptions {
  tableName: string;
  client?: DynamoDBClient;
}

const ClaimState = {
  Claimed: "claimed",
  Released: "released",
} as const;

/**
 * Remembers the signatures of accepted requests in the state table
 * (`sig#<hex>`, same pk/version/data/ttl shape as every other item) until
 * their timestamp leaves the window; after that the timestamp check refuses
 * them anyway, so the TTL bounds the table.
 *
 * A claim is one conditional PutItem. When enqueuing then fails the claim is
 * released (another PutItem), so that the client may resend the very same
 * signed request instead of losing it.
 */
export class ReplayGuard {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: ReplayGuardOptions) {
    this.#table = options.tableName;
    this.#doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
  }

  /** Throws ReplayedRequestError when the signature was already claimed and not released. */
  async claim(signatureHex: string, expiresAtSeconds: number): Promise<void> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: this.#item(signatureHex, ClaimState.Claimed, expiresAtSeconds),
          ConditionExpression: "attribute_not_exists(pk) OR #data.#state = :released",
          ExpressionAttributeNames: { "#data": "data", "#state": "state" },
          ExpressionAttributeValues: { ":released": ClaimState.Released },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ReplayedRequestError();
      throw error;
    }
  }

  async release(signatureHex: string, expiresAtSeconds: number): Promise<void> {
    await this.#doc.send(
      new PutCommand({ TableName: this.#table, Item: this.#item(signatureHex, ClaimState.Released, expiresAtSeconds) }),
    );
  }

  #item(signatureHex: string, state: string, ttl: number) {
    return { pk: `sig#${signatureHex}`, version: 1, data: { state }, ttl };
  }
}
