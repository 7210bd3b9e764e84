/**
 * The size DynamoDB bills an item at, after "DynamoDB item sizes and formats"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * - every attribute name (nested ones too) counts its UTF-8 bytes;
 * - a string its UTF-8 bytes, a binary its raw bytes;
 * - a number 1 byte per two significant digits (leading and trailing zeroes
 *   trimmed) plus 1;
 * - a boolean or null 1 byte;
 * - a list or map 3 bytes of overhead, plus 1 byte per element.
 * The item is marshalled as the document client of DynamoStateStore does
 * (`removeUndefinedValues`), so the size is that of what would be written.
 */
import { marshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

const utf8 = (text: string): number => Buffer.byteLength(text, "utf8");

const numberSize = (text: string): number => {
  const digits = text.replace(/^-/, "").replace(/e.*$/i, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(digits.length / 2) + 1;
};

export const attributeValueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + attributeValueSize(element), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + attributeValueSize(element), 0);
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberSize(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  throw new Error(`no size rule for attribute value ${JSON.stringify(value)}`);
};

/** The billed size of a top-level item: its attributes' names and values (no per-element byte at the top). */
export const dynamoItemSize = (item: Record<string, unknown>): number =>
  Object.entries(marshall(item, { removeUndefinedValues: true })).reduce((sum, [name, value]) => sum + utf8(name) + attributeValueSize(value), 0);
