import { loadConfig } from "../config";
import { operationsQueueUrls } from "../operations";
import { IngestSettingError } from "./errors";
import { resolveSecretValue } from "./secret-value";
import { resolveClusterTokens, type ClusterToken } from "./tokens";

/** What the ingest function needs, resolved once per cold start. */
export interface IngestSettings {
  /** Cluster name of admission reviews, of signed CloudEvents that do not name one, and of CLOUDEVENTS_TOKEN. */
  cluster: string;
  queueUrl: string;
  tableName: string;
  /** HMAC key shared with the relay's webhook sink (`POST /events`, and `POST /cloudevents` when signed). */
  hmacSecret: string;
  /** The secret path segment of `POST /admission/{token}`. */
  admissionToken: string;
  /**
   * Bearer or `?token=` tokens of `POST /cloudevents`, each bound to the one
   * cluster its events are enqueued for (CLOUDEVENTS_TOKEN and INGEST_TOKENS).
   */
  cloudeventsTokens: readonly ClusterToken[];
  /** How far a signed timestamp may be from now, either way; also how long a CloudEvent's id is remembered. */
  windowSeconds: number;
  maxBodyBytes: number;
  /**
   * The operations queue of a cluster reached through its relay
   * (OPERATIONS_QUEUE_URL for the config's own, OPERATIONS_QUEUE_URLS for
   * others), for relays on the webhook sink; undefined when there is none.
   */
  operationsQueueUrl: (cluster: string) => string | undefined;
}

export const INGEST_DEFAULTS = {
  windowSeconds: 300,
  /** 1 MiB: ten envelopes at SQS's message limit fit, a runaway client does not. */
  maxBodyBytes: 1024 * 1024,
} as const;

export interface ResolveSettingsOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to the `cluster` of the file named by FEEDBACK_CONFIG (the same file process reads). */
  cluster?: string;
}

const required = (env: NodeJS.ProcessEnv, name: string): string => {
  const value = env[name];
  if (!value) throw new IngestSettingError(name, "is not set");
  return value;
};

/**
 * Reads INGEST_SECRET, ADMISSION_TOKEN, CLOUDEVENTS_TOKEN and INGEST_TOKENS
 * (at least one of the two), QUEUE_URL and TABLE_NAME. A missing or
 * unreadable one stops the cold start, naming it.
 */
export const resolveIngestSettings = async (options: ResolveSettingsOptions = {}): Promise<IngestSettings> => {
  const env = options.env ?? process.env;
  const cluster = options.cluster ?? loadConfig(env.FEEDBACK_CONFIG).cluster;
  const queueOf = operationsQueueUrls(cluster, env);
  const [hmacSecret, admissionToken, cloudeventsTokens] = await Promise.all([
    resolveSecretValue(required(env, "INGEST_SECRET"), "INGEST_SECRET"),
    resolveSecretValue(required(env, "ADMISSION_TOKEN"), "ADMISSION_TOKEN"),
    resolveClusterTokens(env, cluster),
  ]);
  if (!/^[A-Za-z0-9._~-]+$/.test(admissionToken)) {
    throw new IngestSettingError("ADMISSION_TOKEN", "must be URL-safe (letters, digits, . _ ~ -): it is a path segment");
  }
  return {
    cluster,
    queueUrl: required(env, "QUEUE_URL"),
    tableName: required(env, "TABLE_NAME"),
    hmacSecret,
    admissionToken,
    cloudeventsTokens,
    windowSeconds: INGEST_DEFAULTS.windowSeconds,
    maxBodyBytes: INGEST_DEFAULTS.maxBodyBytes,
    operationsQueueUrl: (name) => {
      try {
        return queueOf(name);
      } catch {
        return undefined;
      }
    },
  };
};
