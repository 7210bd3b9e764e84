import { DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { reopenClaims } from "../../shared/pipeline/deliveries";
import { runAssignments, runStateOf, type RunRecord } from "../../shared/pipeline/run-record";
import { DynamoStateStore, KeyPrefix } from "../../shared/store";

export interface OrphanedClaimsOptions {
  tableName: string;
  client: DynamoDBClient;
  /** Items read per Scan page (DynamoDB's `Limit`). */
  scanPageSize?: number;
}

/**
 * Ends the lease of the claims a killed process left in a persisted state
 * table, before anything else reads it; resolves with the number of
 * callbacks reopened so.
 *
 * A claim is a lease: a call in flight, recorded as done or open once the
 * receiver answers. When the process is killed in between, the claim stays,
 * and the replay that follows the restart meets it still leased: the event
 * is retried until the lease ends (`processing.leaseSeconds`, 120 s by
 * default), and with the default backoff its retries run out first (five in
 * about a minute), so the event went to the DLQ and the callback was never
 * made. The directory's lock guarantees the claims' owner is gone, so their
 * leases are ended here and the replayed event makes each call again, told
 * it may repeat one: a repeat for the calls that were in flight, at most one
 * each, and nothing lost.
 */
export const reopenOrphanedClaims = async (options: OrphanedClaimsOptions): Promise<number> => {
  const store = new DynamoStateStore({ tableName: options.tableName, client: options.client });
  let reopened = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await options.client.send(
      new ScanCommand({
        TableName: options.tableName,
        ConsistentRead: true,
        FilterExpression: "begins_with(#pk, :object) AND (attribute_exists(#data.#run.#d) OR attribute_exists(#data.#run.#deliveries))",
        ProjectionExpression: "#pk, #data.#run",
        ExpressionAttributeNames: { "#pk": "pk", "#data": "data", "#run": "run", "#d": "d", "#deliveries": "deliveries" },
        ExpressionAttributeValues: { ":object": { S: KeyPrefix.object } },
        Limit: options.scanPageSize ?? 500,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw) as { pk: string; data: RunRecord };
      const state = runStateOf(item);
      const writes = reopenClaims(state);
      if (writes.length === 0) continue;
      // An item written before the compact marks is rewritten by its next event; its marks are reopened where they are.
      const legacy = item.data.run?.d === undefined;
      await store.setPaths(item.pk, legacy ? writes.map(({ path, value }) => ({ path: ["run", ...path], value })) : runAssignments(writes));
      reopened += writes.length;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return reopened;
};
