import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { logger, type Log } from "../log";
import { SqsOperationSource, type OperationSource } from "../operations";
import { EnvelopeQueue, type QueueEntry } from "./queue";
import { ReplayGuard } from "./replay";
import { resolveIngestSettings, type IngestSettings } from "./settings";

/** Each cluster's operations queue, read by the relays on the webhook sink (operations-route.ts). */
export interface OperationsAccess {
  /** The cluster's operations queue, or undefined when the deployment has none for it. */
  forCluster(cluster: string): OperationSource | undefined;
}

/** Where envelopes go; EnvelopeQueue in production. */
export interface EnvelopeSender {
  send(entries: readonly QueueEntry[]): Promise<void>;
}

/** Where used signatures and CloudEvents are remembered (keys from StoreKey.signature and StoreKey.cloudEvent); ReplayGuard in production. */
export interface SignatureLedger {
  claim(key: string, expiresAtSeconds: number): Promise<void>;
  release(key: string, expiresAtSeconds: number): Promise<void>;
}

export interface IngestDeps {
  settings: IngestSettings;
  queue: EnvelopeSender;
  replay: SignatureLedger;
  /** The operations queues relays on the webhook sink read through ingest. */
  operations: OperationsAccess;
  log: Log;
  now: () => Date;
}

export interface IngestOptions {
  /** Defaults to resolveIngestSettings() (environment, secrets through Powertools parameters). */
  settings?: IngestSettings;
  sqs?: SQSClient;
  dynamo?: DynamoDBClient;
  queue?: EnvelopeSender;
  replay?: SignatureLedger;
  operations?: OperationsAccess;
  log?: Log;
  now?: () => Date;
}

/** One SQS source per cluster that has an operations queue, made on first use. */
const sqsOperations = (queueUrl: (cluster: string) => string | undefined, sqs: SQSClient | undefined): OperationsAccess => {
  const sources = new Map<string, OperationSource>();
  return {
    forCluster: (cluster) => {
      const url = queueUrl(cluster);
      if (!url) return undefined;
      if (!sources.has(cluster)) sources.set(cluster, new SqsOperationSource({ queueUrl: url, ...(sqs ? { client: sqs } : {}) }));
      return sources.get(cluster);
    },
  };
};

export const createIngestDeps = async (options: IngestOptions = {}): Promise<IngestDeps> => {
  const settings = options.settings ?? (await resolveIngestSettings());
  const now = options.now ?? (() => new Date());
  return {
    settings,
    queue: options.queue ?? new EnvelopeQueue({ queueUrl: settings.queueUrl, ...(options.sqs ? { client: options.sqs } : {}) }),
    replay:
      options.replay ?? new ReplayGuard({ tableName: settings.tableName, now, ...(options.dynamo ? { client: options.dynamo } : {}) }),
    operations: options.operations ?? sqsOperations(settings.operationsQueueUrl, options.sqs),
    log: options.log ?? logger,
    now,
  };
};

/**
 * Builds the dependencies once per container (the cold start) and shares them
 * between invocations; a failed build is retried on the next request.
 */
export const lazyIngestDeps = (options: IngestOptions = {}): (() => Promise<IngestDeps>) => {
  let deps: Promise<IngestDeps> | undefined;
  return () => {
    deps ??= createIngestDeps(options).catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    return deps;
  };
};
