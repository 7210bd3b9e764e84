import { createHash } from "node:crypto";
import { z } from "zod";
import { formatPath } from "../config/path";
import { EnvelopeTooLargeError, EnvelopeType, InvalidEnvelopeError, makeEnvelope, validateEnvelope, type Envelope, type KubeObject } from "../envelope";
import type { Log } from "../log";
import { admissionIdentity } from "./admission-identity";
import { requireToken } from "./auth";
import type { IngestDeps } from "./deps";
import { IngestError, InvalidRequestError } from "./errors";
import { jsonResponse, parseJsonBody, readBody, type HttpRequest, type HttpResponse } from "./http";
import type { QueueEntry } from "./queue";
import { shapeForQueue } from "./shape";

/** The fields of an AdmissionReview v1 request we read; the rest passes through unread. */
const AdmissionReviewSchema = z.looseObject({
  apiVersion: z.literal("admission.k8s.io/v1"),
  kind: z.literal("AdmissionReview"),
  request: z.looseObject({
    uid: z.string().min(1),
    kind: z.looseObject({ group: z.string(), version: z.string().min(1), kind: z.string().min(1) }),
    subResource: z.string().optional(),
    operation: z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT"]),
    object: z.looseObject({}).nullable().optional(),
    oldObject: z.looseObject({}).nullable().optional(),
    dryRun: z.boolean().optional(),
  }),
});
type AdmissionRequest = z.output<typeof AdmissionReviewSchema>["request"];

const TYPE_OF = { CREATE: EnvelopeType.Added, UPDATE: EnvelopeType.Modified, DELETE: EnvelopeType.Deleted } as const;

export const parseAdmissionReview = (value: unknown): AdmissionRequest => {
  const result = AdmissionReviewSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidRequestError(`malformed AdmissionReview: ${formatPath(issue?.path ?? [])}: ${issue?.message ?? "is invalid"}`);
  }
  return result.data.request;
};

/** Always the same answer: this webhook observes, it never blocks or mutates anything. */
export const allowed = (uid: string): HttpResponse =>
  jsonResponse(200, { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, allowed: true } });

/**
 * The envelope for a review: CREATE → ADDED and UPDATE → MODIFIED of
 * `object` (for a `status` subresource update it is the whole object with the
 * new status), DELETE → DELETED of `oldObject`. Malformed input is a 400.
 */
export const admissionEnvelope = (request: AdmissionRequest, cluster: string, now: Date): Envelope => {
  const type = TYPE_OF[request.operation as keyof typeof TYPE_OF];
  const field = request.operation === "DELETE" ? "oldObject" : "object";
  const raw = request[field];
  if (!raw) throw new InvalidRequestError(`malformed AdmissionReview: request.${field} is missing for ${request.operation}`);
  const { group, version, kind } = request.kind;
  // The API server serialises the object with its type, but request.kind is authoritative.
  const object = { ...raw, apiVersion: raw.apiVersion ?? (group ? `${group}/${version}` : version), kind: raw.kind ?? kind };
  try {
    return validateEnvelope(makeEnvelope(cluster, type, object as KubeObject, now));
  } catch (error) {
    if (!(error instanceof InvalidEnvelopeError)) throw error;
    const path = error.path.startsWith("object") ? `request.${field}${error.path.slice("object".length)}` : `envelope ${error.path}`;
    throw new InvalidRequestError(`malformed AdmissionReview: ${path}: ${error.reason}`);
  }
};

/**
 * Validating admission sees the object before it is written, with the
 * resourceVersion the client sent. Clients that update without one would
 * give successive updates the same deduplication id, and SQS would drop all
 * but the first for five minutes; the review's own uid keeps them apart.
 */
const admissionEntry = (request: AdmissionRequest, envelope: Envelope): QueueEntry =>
  envelope.type === EnvelopeType.Modified && !envelope.object.metadata.resourceVersion
    ? { envelope, deduplicationId: createHash("sha256").update(`${envelope.cluster}\u0000admission\u0000${request.uid}`).digest("hex") }
    : { envelope };

/**
 * `POST /admission/{token}`: called by the API server for the resources the
 * ValidatingWebhookConfiguration selects. The token is the secret path
 * segment (the API server cannot sign requests). An object it cannot take
 * (a malformed review, nested too deep, too big for SQS even cut down) is a
 * 400 naming the path; under failurePolicy Ignore the API server lets the
 * object through all the same, so the refusal is logged as a lost event with
 * the object's identity, and `resync` is what catches it up. When SQS fails
 * the answer is allowed:true and the event is logged as lost the same way.
 * A dry run is allowed and not enqueued: it changes nothing.
 */
export const handleAdmission = async (request: HttpRequest, deps: IngestDeps): Promise<HttpResponse> => {
  requireToken(request.pathParameters?.token, deps.settings.admissionToken, "admission");
  let review: AdmissionRequest;
  let entry: QueueEntry;
  try {
    review = parseAdmissionReview(parseJsonBody(readBody(request, deps.settings.maxBodyBytes).text));
    if (review.operation === "CONNECT" || review.dryRun) return allowed(review.uid);
    const envelope = admissionEnvelope(review, deps.settings.cluster, deps.now());
    entry = admissionEntry(review, shapeAdmission(envelope, review, deps.log));
  } catch (error) {
    if (error instanceof IngestError) {
      deps.log.error("admission event lost: the object was refused; the API server lets it through and resync will catch up", {
        ...admissionIdentity(request),
        status: error.statusCode,
        reason: error.message,
      });
    }
    throw error;
  }
  try {
    await deps.queue.send([entry]);
  } catch (error) {
    const { namespace, name, uid } = entry.envelope.object.metadata;
    deps.log.error("admission event lost: could not enqueue it; resync will catch up", {
      reviewUid: review.uid,
      kind: entry.envelope.kind,
      namespace,
      name,
      uid,
      error: (error as Error).message,
    });
  }
  return allowed(review.uid);
};

/** Slims and fits the envelope; an object too big even cut down is a 400 naming the review's field. */
const shapeAdmission = (envelope: Envelope, review: AdmissionRequest, log: Log): Envelope => {
  try {
    return shapeForQueue(envelope, log);
  } catch (error) {
    if (!(error instanceof EnvelopeTooLargeError)) throw error;
    const field = review.operation === "DELETE" ? "oldObject" : "object";
    throw new InvalidRequestError(`request.${field}: ${error.message}`, [], { cause: error });
  }
};
