/**
 * Counts DynamoDB requests and the on-demand request units they would be
 * billed, read off the serialised requests at the end of the SDK's finalize
 * step (so retries count, as they are billed). Items are told apart by the
 * prefix of their key: `obj#` is a run's state, `rcv#` a receiver's memory.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KeyPrefix, prefixOf } from "../../shared/store/keys";

type AttributeValue = Record<string, unknown>;

/**
 * An item's billed size, after "Item sizes and formats" in the DynamoDB
 * developer guide: names and strings by UTF-8 length, numbers about one
 * byte per two digits plus one, 1 byte for a boolean or null, 3 bytes of
 * overhead per map or list and 1 per list element.
 */
const valueSize = (value: AttributeValue): number => {
  const [type, inner] = Object.entries(value)[0] ?? ["NULL", true];
  switch (type) {
    case "S":
      return Buffer.byteLength(String(inner), "utf8");
    case "N":
      return Math.ceil(String(inner).replace(/[-.]/g, "").replace(/^0+/, "").length / 2) + 1;
    case "B":
      return Buffer.byteLength(String(inner), "base64");
    case "M":
      return 3 + itemSize(inner as Record<string, AttributeValue>);
    case "L":
      return 3 + (inner as AttributeValue[]).reduce((sum, v) => sum + 1 + valueSize(v), 0);
    default:
      return 1;
  }
};

export const itemSize = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, "utf8") + valueSize(value), 0);

export interface DynamoTally {
  reads: number;
  writes: number;
  /** Read request units (strongly consistent: one per 4 KB, at least one). */
  readUnits: number;
  /** Write request units (one per KB of the larger of the old and new item). */
  writeUnits: number;
}

const empty = (): DynamoTally => ({ reads: 0, writes: 0, readUnits: 0, writeUnits: 0 });

export class DynamoMeter {
  readonly byPrefix = new Map<string, DynamoTally>();
  /** UpdateItem requests on run state: one per event that called receivers (the record after the calls). */
  stateUpdates = 0;
  readonly #sizes = new Map<string, number>();

  /** A client whose every request is tallied here. */
  client(): DynamoDBClient {
    const client = new DynamoDBClient({});
    client.middlewareStack.add(
      (next) => async (args) => {
        this.#count(args.request as { headers: Record<string, string>; body?: unknown });
        return next(args);
      },
      { step: "finalizeRequest", priority: "low", name: "benchDynamoMeter" },
    );
    return client;
  }

  total(prefix?: string): DynamoTally {
    const out = empty();
    for (const [key, tally] of this.byPrefix) {
      if (prefix !== undefined && key !== prefix) continue;
      out.reads += tally.reads;
      out.writes += tally.writes;
      out.readUnits += tally.readUnits;
      out.writeUnits += tally.writeUnits;
    }
    return out;
  }

  #count(request: { headers: Record<string, string>; body?: unknown }): void {
    const target = Object.entries(request.headers).find(([name]) => name.toLowerCase() === "x-amz-target")?.[1] ?? "";
    const action = target.split(".").pop() ?? "";
    const text = typeof request.body === "string" ? request.body : request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : "{}";
    const body = JSON.parse(text) as { Key?: { pk?: { S?: string } }; Item?: Record<string, AttributeValue> & { pk?: { S?: string } } };
    const pk = body.Key?.pk?.S ?? body.Item?.pk?.S ?? "";
    const prefix = prefixOf(pk) ?? "other";
    const tally = this.byPrefix.get(prefix) ?? empty();
    this.byPrefix.set(prefix, tally);
    const known = this.#sizes.get(pk) ?? 0;
    if (action === "GetItem") {
      tally.reads++;
      tally.readUnits += Math.max(1, Math.ceil(known / 4096));
    } else if (action === "PutItem" || action === "UpdateItem") {
      const size = body.Item ? itemSize(body.Item) : known;
      tally.writes++;
      tally.writeUnits += Math.max(1, Math.ceil(Math.max(size, known) / 1024));
      if (body.Item) this.#sizes.set(pk, size);
      if (action === "UpdateItem" && prefix === KeyPrefix.object) this.stateUpdates++;
    }
  }
}
