import { z } from "zod";
import { formatPath } from "../config/path";
import { MAX_MESSAGES, MAX_WAIT_SECONDS, type OperationSource } from "../operations";
import { StoreKey } from "../store/keys";
import { verifySignedRequest, type SignedRequest } from "./auth";
import type { IngestDeps } from "./deps";
import { IngestError, InvalidRequestError } from "./errors";
import { jsonResponse, parseJsonBody, readBody, type HttpRequest, type HttpResponse } from "./http";

const Common = {
  cluster: z.string().min(1).max(63),
  /** Makes every body, and so every signature, unique: two polls in one second are two requests. */
  nonce: z.string().min(8).max(64),
};

const ReceiveSchema = z.strictObject({ ...Common, waitSeconds: z.int().min(0).max(MAX_WAIT_SECONDS).default(MAX_WAIT_SECONDS) });

const AckSchema = z.strictObject({
  ...Common,
  done: z.array(z.string().min(1)).max(MAX_MESSAGES).default([]),
  retry: z
    .array(z.strictObject({ handle: z.string().min(1), delaySeconds: z.int().min(0).max(43_200) }))
    .max(MAX_MESSAGES)
    .default([]),
});

/** The operations queues of the clusters this deployment reaches through their relays. */
const parse = <T extends z.ZodType>(schema: T, text: string): z.output<T> => {
  const result = schema.safeParse(parseJsonBody(text));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.code === "unrecognized_keys" ? formatPath([...issue.path, issue.keys[0] ?? ""]) : formatPath(issue?.path ?? []);
  throw new InvalidRequestError(`${path ? `${path}: ` : ""}${issue?.code === "unrecognized_keys" ? "unknown field" : (issue?.message ?? "is invalid")}`);
};

/** Signature (401), replay (409), body (400), then the cluster's queue (404 when there is none). */
const accept = async <T extends z.ZodType>(request: HttpRequest, deps: IngestDeps, schema: T): Promise<{ input: z.output<T>; queue: OperationSource }> => {
  const { settings } = deps;
  const body = readBody(request, settings.maxBodyBytes);
  const signed: SignedRequest = verifySignedRequest(request, body.raw, settings.hmacSecret, deps.now(), settings.windowSeconds);
  const input = parse(schema, body.text) as z.output<T> & { cluster: string };
  // Past timestamp + window the signature check refuses the request anyway.
  await deps.replay.claim(StoreKey.signature(signed.signatureHex), signed.timestamp + settings.windowSeconds + 60);
  const queue = deps.operations.forCluster(input.cluster);
  if (!queue) throw new IngestError(404, `no operations queue for cluster "${input.cluster}": it is not reached through its relay here`);
  return { input, queue };
};

/**
 * `POST /operations/receive`: a relay on the webhook sink (no AWS identity)
 * long-polls its cluster's operations queue through ingest. Answers the
 * batch with receipt handles, to be settled with `POST /operations/ack`.
 * Signed with the same key and scheme as `POST /events`.
 */
export const handleOperationsReceive = async (request: HttpRequest, deps: IngestDeps): Promise<HttpResponse> => {
  const { input, queue } = await accept(request, deps, ReceiveSchema);
  // The Lambda's own timeout bounds the wait; a client gone meanwhile gets the batch again after the visibility timeout.
  const operations = await queue.receive(input.waitSeconds, AbortSignal.timeout((input.waitSeconds + 5) * 1000));
  return jsonResponse(200, { operations });
};

/** `POST /operations/ack`: deletes what the relay applied, puts back what must wait. */
export const handleOperationsAck = async (request: HttpRequest, deps: IngestDeps): Promise<HttpResponse> => {
  const { input, queue } = await accept(request, deps, AckSchema);
  await queue.settle({ done: input.done, retry: input.retry });
  return jsonResponse(200, { done: input.done.length, retry: input.retry.length });
};
