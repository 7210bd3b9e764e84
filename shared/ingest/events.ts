import { InvalidEnvelopeError, SQS_LIMITS, validateEnvelope, type Envelope } from "../envelope";
import { verifySignedRequest, type SignedRequest } from "./auth";
import type { IngestDeps } from "./deps";
import { enqueueClaimed } from "./enqueue";
import { InvalidRequestError, type ItemProblem } from "./errors";
import { jsonResponse, parseJsonBody, readBody, type HttpRequest, type HttpResponse } from "./http";
import type { QueueEntry } from "./queue";
import { StoreKey } from "../store/keys";

/**
 * Validates every item of a `POST /events` body (a JSON array of v1
 * envelopes, or one envelope). All-or-nothing: one invalid item rejects the
 * request with every problem listed by index and field, and nothing is
 * enqueued, so the client can drop or fix those items and resend the rest.
 */
export const parseEnvelopeBatch = (body: string): Envelope[] => {
  const value = parseJsonBody(body);
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new InvalidRequestError("body is an empty array: expected at least one envelope");
  const problems: ItemProblem[] = [];
  const envelopes: Envelope[] = [];
  items.forEach((item, index) => {
    try {
      const envelope = validateEnvelope(item);
      const bytes = Buffer.byteLength(JSON.stringify(envelope));
      if (bytes > SQS_LIMITS.messageBytes) {
        problems.push({ index, path: "object", reason: `envelope is ${bytes} bytes, over SQS's ${SQS_LIMITS.messageBytes}: slim it` });
      }
      envelopes.push(envelope);
    } catch (error) {
      if (!(error instanceof InvalidEnvelopeError)) throw error;
      problems.push({ index, path: error.path, reason: error.reason });
    }
  });
  if (problems.length > 0) {
    const listed = problems.map((p) => `[${p.index}]${p.path ? ` ${p.path}` : ""}: ${p.reason}`).join("; ");
    throw new InvalidRequestError(
      `${problems.length} of ${items.length} envelope(s) invalid, nothing was enqueued: ${listed}`,
      problems,
    );
  }
  return envelopes;
};

/**
 * Enqueues the entries of a signed request under a replay claim on its
 * signature (see enqueueClaimed for what a failure releases).
 */
export const enqueueSigned = async (deps: IngestDeps, signed: SignedRequest, entries: readonly QueueEntry[]): Promise<void> => {
  // Past timestamp + window the signature check refuses the request anyway.
  const expiresAt = signed.timestamp + deps.settings.windowSeconds + 60;
  await enqueueClaimed(deps, [{ key: StoreKey.signature(signed.signatureHex), expiresAt }], entries);
};

/**
 * `POST /events`: the relay's webhook sink. Checks, in this order, size
 * (413), signature and timestamp (401), every envelope (400), replay (409),
 * then enqueues (202, or 503 when SQS fails).
 */
export const handleEvents = async (request: HttpRequest, deps: IngestDeps): Promise<HttpResponse> => {
  const { settings } = deps;
  const body = readBody(request, settings.maxBodyBytes);
  const signed = verifySignedRequest(request, body.raw, settings.hmacSecret, deps.now(), settings.windowSeconds);
  const envelopes = parseEnvelopeBatch(body.text);
  await enqueueSigned(deps, signed, envelopes.map((envelope) => ({ envelope })));
  deps.log.debug("envelopes enqueued", { count: envelopes.length });
  return jsonResponse(202, { enqueued: envelopes.length });
};
