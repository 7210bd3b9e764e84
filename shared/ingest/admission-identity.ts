import type { HttpRequest } from "./http";

/** What a log line says about the object of a review that could not be taken. */
export interface AdmissionIdentity {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  reviewUid?: string;
}

type Loose = Record<string, unknown> | undefined;

const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;

/** A string field, cut short: the review is refused, so nothing in it has been checked. */
const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? (value.length > 253 ? `${value.slice(0, 253)}…` : value) : undefined;

/**
 * The identity of the object a refused review was about, read with shallow
 * property lookups only, so it works on the input that was refused for
 * being nested too deep, too big, or not a valid review: kind, namespace,
 * name and uid of the object (from the request's own fields when the object
 * lacks them), and the review's uid. Whatever cannot be read is left out.
 */
export const admissionIdentity = (request: HttpRequest): AdmissionIdentity => {
  let review: unknown;
  try {
    const body = request.body ?? "";
    // JSON.parse does not recurse on the stack, so even a refused body parses here.
    review = JSON.parse(request.isBase64Encoded ? Buffer.from(body, "base64").toString("utf8") : body);
  } catch {
    return {};
  }
  const req = field(review, "request") as Loose;
  const object = (field(req, "object") ?? field(req, "oldObject")) as Loose;
  const metadata = field(object, "metadata");
  const identity: AdmissionIdentity = {
    kind: text(field(field(req, "kind"), "kind")) ?? text(field(object, "kind")),
    namespace: text(field(req, "namespace")) ?? text(field(metadata, "namespace")),
    name: text(field(req, "name")) ?? text(field(metadata, "name")),
    uid: text(field(metadata, "uid")),
    reviewUid: text(field(req, "uid")),
  };
  return Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined)) as AdmissionIdentity;
};
