import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { VersionConflictError, type ConflictingItem } from "./errors";

/** One item of the state table: a versioned document with a TTL. */
export interface StoredItem<S = Record<string, unknown>> {
  readonly version: number;
  readonly data: S;
}

export interface StateStore {
  get<S>(key: string): Promise<StoredItem<S> | undefined>;
  /**
   * Writes the whole item if its version is still `expectedVersion`
   * (`undefined`: the item must not exist). Returns the new version.
   */
  put<S>(key: string, data: S, expectedVersion: number | undefined, ttlSeconds: number): Promise<number>;
  // A refused put throws VersionConflictError, with the stored item when the store returned it.
  /**
   * Sets nested attributes of `data` (the paths must exist) and bumps the
   * version, unconditionally. Returns the item as written, when the store
   * says (DynamoDB does, at no extra cost: `ReturnValues: ALL_NEW`).
   */
  setPaths(key: string, assignments: ReadonlyArray<{ path: readonly string[]; value: unknown }>): Promise<StoredItem | undefined>;
  /**
   * Drops any copy of the item the store keeps, so that the next get reads
   * the table; true when there was one. Only a store that keeps copies
   * (CachedStateStore) has it.
   */
  forget?(key: string): boolean;
}

/**
 * The item a refused write is to be retried against: the one the conflict
 * carries, else one read (the store did not return it, or there was none).
 */
export const storedAfterConflict = async <S>(store: StateStore, error: VersionConflictError): Promise<StoredItem<S> | undefined> =>
  (error.stored as StoredItem<S> | undefined) ?? (await store.get<S>(error.key));

/** The old item of a ConditionalCheckFailedException (raw attribute values; the document client does not convert errors). */
const conflictingItem = (error: ConditionalCheckFailedException): ConflictingItem | undefined => {
  if (!error.Item) return undefined;
  try {
    const item = unmarshall(error.Item);
    return { version: Number(item.version ?? 0), data: item.data };
  } catch {
    // Not attribute values after all: the caller reads the item instead.
    return undefined;
  }
};

export interface DynamoStateStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

/**
 * The state table: string hash key `pk`, attributes `version`, `data`, `ttl`.
 * Reads are strongly consistent because the next event of a run may be
 * processed right after the previous one wrote.
 */
export class DynamoStateStore implements StateStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: DynamoStateStoreOptions) {
    this.#table = options.tableName;
    this.#doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async get<S>(key: string): Promise<StoredItem<S> | undefined> {
    const { Item } = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { pk: key }, ConsistentRead: true }));
    if (!Item) return undefined;
    return { version: Number(Item.version ?? 0), data: Item.data as S };
  }

  async put<S>(key: string, data: S, expectedVersion: number | undefined, ttlSeconds: number): Promise<number> {
    const version = (expectedVersion ?? 0) + 1;
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: key, version, data, ttl: Math.floor(Date.now() / 1000) + ttlSeconds },
          ConditionExpression: expectedVersion === undefined ? "attribute_not_exists(pk)" : "version = :expected",
          ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ":expected": expectedVersion } }),
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VersionConflictError(key, expectedVersion, { cause: error, stored: conflictingItem(error) });
      }
      throw error;
    }
    return version;
  }

  async setPaths(key: string, assignments: ReadonlyArray<{ path: readonly string[]; value: unknown }>): Promise<StoredItem | undefined> {
    if (assignments.length === 0) return undefined;
    const names: Record<string, string> = { "#data": "data", "#version": "version" };
    const values: Record<string, unknown> = { ":one": 1 };
    const nameOf = new Map<string, string>();
    const alias = (segment: string): string => {
      let name = nameOf.get(segment);
      if (!name) {
        name = `#n${nameOf.size}`;
        nameOf.set(segment, name);
        names[name] = segment;
      }
      return name;
    };
    const sets = assignments.map(({ path, value }, i) => {
      values[`:v${i}`] = value;
      return `#data.${path.map(alias).join(".")} = :v${i}`;
    });
    const { Attributes } = await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: key },
        UpdateExpression: `SET ${sets.join(", ")}, #version = #version + :one`,
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // "There is no additional cost associated with requesting a return value" (UpdateItem, ReturnValues):
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnValues
        ReturnValues: "ALL_NEW",
      }),
    );
    return Attributes ? { version: Number(Attributes.version ?? 0), data: Attributes.data as Record<string, unknown> } : undefined;
  }
}
