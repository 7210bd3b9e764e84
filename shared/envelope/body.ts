import type { Envelope } from "./envelope";

/** An envelope as it goes on the wire: its JSON and that JSON's UTF-8 size, as SQS counts it. */
export interface EnvelopeBody {
  body: string;
  bytes: number;
}

/**
 * Each envelope's JSON, made once. The size fit (fit.ts) needs the JSON to
 * measure it and a sink needs it to send it; an envelope is not changed once
 * made, so both use the same string instead of stringifying it again. Weakly
 * held: the entry goes with the envelope.
 */
const bodies = new WeakMap<Envelope, EnvelopeBody>();

export const envelopeBody = (envelope: Envelope): EnvelopeBody => {
  let cached = bodies.get(envelope);
  if (cached === undefined) {
    const body = JSON.stringify(envelope);
    cached = { body, bytes: Buffer.byteLength(body, "utf8") };
    bodies.set(envelope, cached);
  }
  return cached;
};
