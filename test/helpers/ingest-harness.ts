import { readFileSync } from "node:fs";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import { createHandler } from "../../functions/ingest/handler";
import { makeEnvelope, signBody, type Envelope, type KubeObject } from "../../shared/envelope";
import { resolveIngestSettings, type IngestOptions, type IngestSettings } from "../../shared/ingest";
import type { Log } from "../../shared/log";

/**
 * What the ingest tests share: the real handler over the real emulators
 * (fauxqs, dynalite), API Gateway HTTP API events as the service sends them,
 * and a log that keeps what it is told.
 */
export const NOW = new Date("2025-03-12T10:00:00Z");
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
export const SECRET = "hmac-key-0123456789abcdef0123456789";
export const ADMISSION_TOKEN = "admission-token-0123456789abcdef";
export const CLOUDEVENTS_TOKEN = "cloudevents-token-0123456789abcdef";
export const CLUSTER = "prod-eu";

export type Json = Record<string, unknown>;

export const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/cloudevents/${name}`, import.meta.url), "utf8")) as Json;

/** A log that keeps what it is told, so tests can count errors. */
export class RecordingLog implements Log {
  readonly lines: { level: string; message: string; fields?: unknown }[] = [];
  readonly #record =
    (level: string) =>
    (message: unknown, ...fields: unknown[]): void =>
      void this.lines.push({ level, message: String(message), fields: fields[0] });
  debug = this.#record("debug");
  info = this.#record("info");
  warn = this.#record("warn");
  error = this.#record("error");
  count(level: string): number {
    return this.lines.filter((line) => line.level === level).length;
  }
}

let requestCounter = 0;

/** An API Gateway HTTP API (payload 2.0) event the way the service delivers it. */
export const httpEvent = (options: {
  routeKey: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  base64?: boolean;
}): APIGatewayProxyEventV2 => {
  const requestId = `req-${++requestCounter}`;
  const body = options.body === undefined ? undefined : options.base64 ? Buffer.from(options.body).toString("base64") : options.body;
  return {
    version: "2.0",
    routeKey: `POST ${options.routeKey}`,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      accept: "*/*",
      "content-length": String(Buffer.byteLength(options.body ?? "")),
      "content-type": "application/json",
      host: "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
      "user-agent": "kube-feedback-relay",
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-proto": "https",
      ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: "123456789012",
      apiId: "a1b2c3d4e5",
      domainName: "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
      domainPrefix: "a1b2c3d4e5",
      http: { method: "POST", path: options.path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "kube-feedback-relay" },
      requestId,
      routeKey: `POST ${options.routeKey}`,
      stage: "$default",
      time: "12/Mar/2025:10:00:00 +0000",
      timeEpoch: NOW.getTime(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: options.base64 ?? false,
  };
};

/** A request to POST /admission/{token}, as the kube-apiserver sends a ValidatingWebhookConfiguration's review. */
export const admissionEvent = (body: string, token = ADMISSION_TOKEN, path = `/admission/${token}`): APIGatewayProxyEventV2 =>
  httpEvent({ routeKey: "/admission/{token}", path, pathParameters: { token }, body, headers: { "user-agent": "kube-apiserver-admission" } });

export const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: "kube-feedback-dev-ingest",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:kube-feedback-dev-ingest",
  memoryLimitInMB: "256",
  awsRequestId: `aws-${requestCounter}`,
  logGroupName: "/aws/lambda/kube-feedback-dev-ingest",
  logStreamName: "2025/03/12/[$LATEST]0123456789abcdef",
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** `headers` plus the relay's HMAC signature of `body`. */
export const signedHeaders = (body: string, headers: Record<string, string> = {}): Record<string, string> => ({
  ...headers,
  "X-Feedback-Timestamp": String(NOW_SECONDS),
  "X-Feedback-Signature-256": signBody(SECRET, NOW_SECONDS, body),
});

export const job = (name: string, uid: string, resourceVersion: string): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name, namespace: "ci", uid, resourceVersion },
  spec: { backoffLimit: 2, template: { spec: { containers: [{ name: "build", image: "golang:1.24" }] } } },
  status: { active: 1, startTime: "2025-03-12T09:59:00Z" },
});

export const envelopeOf = (object: KubeObject, type: Envelope["type"] = "MODIFIED"): Envelope => makeEnvelope(CLUSTER, type, object, NOW);

export interface Received {
  envelope: Envelope;
  groupId: string | undefined;
  deduplicationId: string | undefined;
}

export type Invoke = (event: APIGatewayProxyEventV2) => Promise<{ statusCode: number; body: Json }>;

export interface IngestRig {
  emulators: Emulators;
  doc: DynamoDBDocumentClient;
  settings: IngestSettings;
  log: RecordingLog;
  invoke: Invoke;
  /** A handler with these settings changed and these options given (a fresh container: settings resolve anew). */
  handlerWith(overrides?: Partial<IngestSettings>, options?: IngestOptions): Invoke;
  /** Receives and deletes everything on the queue (fauxqs hands out one message per group per receive). */
  drain(): Promise<Received[]>;
}

/**
 * Starts the emulators for the calling test file and gives every test a
 * fresh log, a handler at NOW and an empty queue. `env` is added to the
 * settings' environment (INGEST_TOKENS, for instance).
 */
export const useIngest = (env: Record<string, string> = {}): IngestRig => {
  let sqs: SQSClient;
  const rig = {} as IngestRig;

  rig.handlerWith = (overrides = {}, options = {}) => {
    const handler = createHandler({ settings: { ...rig.settings, ...overrides }, log: rig.log, now: () => NOW, ...options });
    return async (event) => {
      const result = await handler(event, lambdaContext());
      return { statusCode: result.statusCode ?? 0, body: JSON.parse(result.body ?? "null") as Json };
    };
  };

  rig.drain = async () => {
    const received: Received[] = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: rig.emulators.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ["MessageGroupId", "MessageDeduplicationId"],
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) return received;
      for (const message of messages) {
        received.push({
          envelope: JSON.parse(message.Body!) as Envelope,
          groupId: message.Attributes?.MessageGroupId,
          deduplicationId: message.Attributes?.MessageDeduplicationId,
        });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: rig.emulators.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  };

  beforeAll(async () => {
    rig.emulators = await startEmulators();
    sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    rig.doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    rig.settings = await resolveIngestSettings({
      cluster: CLUSTER,
      env: {
        INGEST_SECRET: SECRET,
        ADMISSION_TOKEN,
        CLOUDEVENTS_TOKEN,
        QUEUE_URL: rig.emulators.queueUrl,
        TABLE_NAME: rig.emulators.tableName,
        ...env,
      },
    });
  });

  afterAll(async () => {
    sqs?.destroy();
    rig.doc?.destroy();
    await rig.emulators?.stop();
  });

  beforeEach(async () => {
    rig.log = new RecordingLog();
    rig.invoke = rig.handlerWith();
    await rig.drain();
  });

  return rig;
};
