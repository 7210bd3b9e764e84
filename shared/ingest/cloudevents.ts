import { z } from "zod";
import { formatPath } from "../config/path";
import { header, mediaType, parseJsonBody, type HttpRequest } from "./http";
import { InvalidRequestError } from "./errors";

/**
 * The CloudEvents attributes we read. `cluster` is an extension attribute
 * (`ce-cluster` in binary mode) that lets one ingest serve several clusters;
 * without it the configured cluster name is used.
 */
export interface CloudEvent {
  specversion: string;
  type: string;
  source: string;
  id: string;
  time?: string;
  cluster?: string;
  data: unknown;
}

export const CloudEventsMedia = {
  Structured: "application/cloudevents+json",
  Batch: "application/cloudevents-batch+json",
} as const;

const StructuredSchema = z.looseObject({
  specversion: z.literal("1.0"),
  type: z.string().min(1),
  source: z.string().min(1),
  id: z.string().min(1),
  time: z.string().optional(),
  cluster: z.string().optional(),
  datacontenttype: z.string().optional(),
  data: z.unknown().optional(),
  data_base64: z.string().optional(),
});

const structured = (value: unknown, where: string): CloudEvent => {
  const result = StructuredSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidRequestError(`${where}: ${formatPath(issue?.path ?? []) || "event"}: ${issue?.message ?? "is invalid"}`);
  }
  const { specversion, type, source, id, time, cluster, data, data_base64: base64 } = result.data;
  let payload = data;
  if (payload === undefined && base64 !== undefined) {
    try {
      payload = parseJsonBody(Buffer.from(base64, "base64").toString("utf8"), "data_base64");
    } catch (error) {
      if (error instanceof InvalidRequestError) throw new InvalidRequestError(`${where}: ${error.message}`, [], { cause: error });
      throw error;
    }
  }
  return { specversion, type, source, id, ...(time ? { time } : {}), ...(cluster ? { cluster } : {}), data: payload };
};

/**
 * HTTP binding: attribute values in ce-* headers may be percent-encoded
 * (CloudEvents HTTP protocol binding §3.1.3.2).
 */
const ceHeader = (request: HttpRequest, name: string): string | undefined => {
  const value = header(request, `ce-${name}`);
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const binary = (request: HttpRequest, body: string): CloudEvent => {
  const attributes: Record<string, string | undefined> = {};
  for (const name of ["specversion", "type", "source", "id", "time", "cluster"]) attributes[name] = ceHeader(request, name);
  const media = mediaType(request);
  if (media !== "" && media !== "application/json") {
    throw new InvalidRequestError(`binary-mode CloudEvent: data must be application/json, got ${media}`);
  }
  return structured({ ...attributes, data: body.trim() === "" ? undefined : parseJsonBody(body, "data") }, "binary-mode CloudEvent (ce-* headers)");
};

/**
 * Reads the events of a request in any of the three HTTP modes: structured
 * (`application/cloudevents+json`), batched, or binary (attributes in ce-*
 * headers, the body is the data), which is what Tekton's sender uses.
 */
export const parseCloudEvents = (request: HttpRequest, body: string): CloudEvent[] => {
  const media = mediaType(request);
  if (media === CloudEventsMedia.Structured) return [structured(parseJsonBody(body), "structured CloudEvent")];
  if (media === CloudEventsMedia.Batch) {
    const value = parseJsonBody(body);
    if (!Array.isArray(value)) throw new InvalidRequestError("batched CloudEvents: body must be a JSON array");
    return value.map((item, index) => structured(item, `batched CloudEvent [${index}]`));
  }
  if (header(request, "ce-specversion") === undefined) {
    throw new InvalidRequestError(
      `not a CloudEvent: no ce-specversion header (binary mode) and Content-Type is not ${CloudEventsMedia.Structured}`,
    );
  }
  return [binary(request, body)];
};
