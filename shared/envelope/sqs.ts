import type { Envelope } from "./envelope";

/**
 * What SQS accepts, in one place: the relay's SQS sink, ingest's queue and
 * the size fit (fit.ts) all read these limits and split batches with the
 * same function, so an envelope that one side would send the other would
 * send too.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
export const SQS_LIMITS = {
  /**
   * One message body, UTF-8 bytes. SQS's classic limit: AWS has since
   * raised it to 1 MiB, but a queue's `MaximumMessageSize` may still be
   * lower, so both sides keep to the old one.
   */
  messageBytes: 262_144,
  /** Entries in one SendMessageBatch request. */
  batchEntries: 10,
  /** Sum of the message bodies in one SendMessageBatch request. */
  batchBytes: 262_144,
} as const;

/** Anything with a serialised size: an entry about to be sent. */
export interface Sized {
  /** UTF-8 size of the body, as SQS counts it. */
  bytes: number;
}

/**
 * Splits serialised envelopes into requests of at most `maxEntries` and
 * `maxBytes` (the sum of bodies), keeping their order, so a message
 * group's events stay in order. An entry bigger than `maxBytes` on its own
 * gets a request to itself: the destination decides. The defaults are
 * SendMessageBatch's; other destinations (a webhook) pass their own.
 */
export const chunkBySize = <T extends Sized>(
  items: readonly T[],
  maxEntries: number = SQS_LIMITS.batchEntries,
  maxBytes: number = SQS_LIMITS.batchBytes,
): T[][] => {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxEntries || bytes + item.bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

/** An envelope as it goes on the wire: its JSON and that JSON's UTF-8 size, as SQS counts it. */
export interface EnvelopeBody {
  body: string;
  bytes: number;
}

/**
 * Where an envelope keeps its JSON once made: a symbol-keyed property that
 * is not enumerable, so JSON.stringify, spreads (fit.ts builds cut-down
 * copies with them) and schema checks never see it. Not a WeakMap: its
 * entries outlive their envelopes until a full garbage collection, and at
 * tens of thousands of events that kept the relay's peak RSS well above an
 * informer's (`npm run bench`).
 */
const BODY = Symbol("envelope body");

type WithBody = Envelope & { [BODY]?: EnvelopeBody };

/**
 * Each envelope's JSON, made once. The size fit (fit.ts) needs the JSON to
 * measure it and a sink needs it to send it; an envelope is not changed once
 * made, so both use the same string instead of stringifying it again.
 */
export const envelopeBody = (envelope: Envelope): EnvelopeBody =>
  (envelope as WithBody)[BODY] ?? keepBody(envelope, JSON.stringify(envelope));

/**
 * Keeps `body` as the envelope's JSON: the one envelopeBody made, or one
 * the relay wrote itself, exactly `JSON.stringify(envelope)` (relay/object-json.ts).
 */
export const keepBody = (envelope: Envelope, body: string): EnvelopeBody => {
  const made = { body, bytes: Buffer.byteLength(body, "utf8") };
  if (Object.isExtensible(envelope)) Object.defineProperty(envelope, BODY, { value: made, enumerable: false });
  return made;
};
