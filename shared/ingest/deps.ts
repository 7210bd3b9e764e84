import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { logger, type Log } from "../log";
import { EnvelopeQueue, type QueueEntry } from "./queue";
import { ReplayGuard } from "./replay";
import { resolveIngestSettings, type IngestSettings } from "./settings";

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
  log?: Log;
  now?: () => Date;
}

export const createIngestDeps = async (options: IngestOptions = {}): Promise<IngestDeps> => {
  const settings = options.settings ?? (await resolveIngestSettings());
  const now = options.now ?? (() => new Date());
  return {
    settings,
    queue: options.queue ?? new EnvelopeQueue({ queueUrl: settings.queueUrl, ...(options.sqs ? { client: options.sqs } : {}) }),
    replay:
      options.replay ?? new ReplayGuard({ tableName: settings.tableName, now, ...(options.dynamo ? { client: options.dynamo } : {}) }),
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
