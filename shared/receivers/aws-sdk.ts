/**
 * How the AWS receivers (`email`, `eventbridge`, `sns`) use the SDK: the
 * settings every client is built with, and the one place where an SDK
 * failure becomes the receiver error the process function acts on, through
 * the project's HTTP classifier (shared/http/classify.ts) plus what AWS
 * adds to it: throttles named in the error rather than told by the status.
 */
import { Disposition } from "../errors";
import { classifyHttp, type HttpHeaders } from "../http";
import { PermanentReceiverError, ReceiverError } from "./errors";

/**
 * One attempt per call. The SDK's standard mode would retry throttles and
 * 5xx three times inside the invocation, with its own backoff, while the
 * message's other receivers wait and the function's 30 s timeout runs; the
 * queue already retries the callback, backs off across invocations, honours
 * a named delay and counts the attempts toward the DLQ. Both layers together
 * would multiply the attempts and hide a throttled service from the metrics.
 */
export const awsClientSettings = (timeoutSeconds: number) =>
  ({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: Math.min(timeoutSeconds, 5) * 1000, requestTimeout: timeoutSeconds * 1000 },
  }) as const;

/**
 * Error names the services use for "slow down" (smithy's
 * service-error-classification list, less `LimitExceededException`, which
 * SES v2 uses for a quota of resources, not of requests). SES v2 answers
 * `TooManyRequestsException` (429), EventBridge `ThrottlingException`, SNS
 * the query error code `Throttled`, which the SDK names `ThrottledException`.
 */
export const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "ThrottledException",
  "Throttled",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);

// Failures where no service answered, or where it may answer differently in a moment.
const TRANSIENT_NAMES: ReadonlySet<string> = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "CredentialsProviderError"]);

/** The parts of an SDK v3 error (smithy `ServiceException`) that decide what to do. */
interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: HttpHeaders };
}

export interface AwsFailure {
  readonly name: string;
  readonly message: string;
  /** Undefined when no response arrived (network error, timeout, no credentials). */
  readonly status?: number;
  readonly headers?: HttpHeaders;
  /** The error's name or the model's throttling trait says "slow down", whatever the status. */
  readonly throttled: boolean;
  /** The model marks the error retryable, or it is a timeout or a credentials hiccup. */
  readonly transient: boolean;
}

/** Reads an SDK error the way smithy's service-error-classification does. */
export const awsFailureOf = (error: unknown): AwsFailure => {
  const shape = (error ?? {}) as SdkErrorShape;
  const name = typeof shape.name === "string" ? shape.name : "Error";
  const message = (typeof shape.message === "string" ? shape.message : String(error)).replace(/\s+/g, " ").trim().slice(0, 300);
  const status = shape.$metadata?.httpStatusCode;
  const headers = shape.$response?.headers;
  return {
    name,
    message,
    ...(status === undefined ? {} : { status }),
    ...(headers === undefined ? {} : { headers }),
    throttled: THROTTLING_NAMES.has(name) || shape.$retryable?.throttling === true,
    transient: shape.$retryable !== undefined || TRANSIENT_NAMES.has(name),
  };
};

export interface AwsCallContext {
  /** `sns builds: Publish to arn:aws:sns:…:builds`: starts every message. */
  readonly what: string;
  /** The IAM action the function's role needs, named when access is denied. */
  readonly permission: string;
}

const DENIED = /AccessDenied|AuthorizationError|NotAuthorized|UnrecognizedClient|InvalidClientTokenId/;

/**
 * Maps an SDK failure to a receiver error. A throttle is a rate limit
 * whatever its status (EventBridge answers `ThrottlingException` with 400,
 * where the status alone would read as a refusal): retried after the
 * `Retry-After` when one was sent, else with the queue's backoff. 5xx,
 * timeouts and network failures are retried; every other 4xx is permanent
 * (the same request would be refused again), with the IAM action named when
 * access was denied.
 */
export const toReceiverError = (error: unknown, context: AwsCallContext, now: number = Date.now()): ReceiverError => {
  const failure = awsFailureOf(error);
  const answer = classifyHttp({ status: failure.throttled ? 429 : failure.status, headers: failure.headers, message: failure.message }, now);
  const throttled = failure.throttled || answer.rateLimited;
  const status = failure.status === undefined ? "no response" : String(failure.status);
  const message = `${context.what}: ${throttled ? "throttled, " : ""}${failure.name} (${status}): ${failure.message}`;
  if (answer.disposition === Disposition.Retry || failure.transient) {
    return new ReceiverError(message, { cause: error, ...(answer.notBefore === undefined ? {} : { notBefore: answer.notBefore, now }) });
  }
  const hint = DENIED.test(failure.name) || failure.status === 403 ? `; the function's role needs ${context.permission}` : "";
  return new PermanentReceiverError(`${message}${hint}`, { cause: error });
};

/**
 * The region the SDK found for a client (AWS_REGION on Lambda, the profile
 * locally): a missing one is a start-up error of the receiver, not a failure
 * of every call.
 */
export const requireRegion = async (client: { config: { region: () => Promise<string> } }, receiver: string): Promise<string> => {
  const region = await client.config.region().catch(() => undefined);
  if (!region) throw new ReceiverError(`receiver ${receiver}: no AWS region: set AWS_REGION (or a profile's region)`);
  return region;
};
