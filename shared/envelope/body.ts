import type { Envelope } from "./envelope";

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
export const envelopeBody = (envelope: Envelope): EnvelopeBody => {
  const cached = (envelope as WithBody)[BODY];
  if (cached !== undefined) return cached;
  const body = JSON.stringify(envelope);
  const made = { body, bytes: Buffer.byteLength(body, "utf8") };
  if (Object.isExtensible(envelope)) Object.defineProperty(envelope, BODY, { value: made, enumerable: false });
  return made;
};
