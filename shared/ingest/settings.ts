import { loadConfig } from "../config";
import { isSecretReference, resolveSecret } from "../secrets";
import { IngestSettingError } from "./errors";

/** What the ingest function needs, resolved once per cold start. */
export interface IngestSettings {
  /** Cluster name for admission reviews and CloudEvents that do not name one. */
  cluster: string;
  queueUrl: string;
  tableName: string;
  /** HMAC key shared with the relay's webhook sink (`POST /events`, and `POST /cloudevents` when signed). */
  hmacSecret: string;
  /** The secret path segment of `POST /admission/{token}`. */
  admissionToken: string;
  /** Bearer or `?token=` of `POST /cloudevents`. */
  cloudeventsToken: string;
  /** How far a signed timestamp may be from now, either way. */
  windowSeconds: number;
  maxBodyBytes: number;
}

export const INGEST_DEFAULTS = {
  windowSeconds: 300,
  /** 1 MiB: ten envelopes at SQS's message limit fit, a runaway client does not. */
  maxBodyBytes: 1024 * 1024,
} as const;

/** Short keys can be guessed; the stack generates 48 characters. */
const MIN_SECRET_LENGTH = 16;

export const SECRET_SETTINGS = ["INGEST_SECRET", "ADMISSION_TOKEN", "CLOUDEVENTS_TOKEN"] as const;

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
 * A secret setting holds either a reference (`ssm:/name`, an SSM or Secrets
 * Manager ARN — what the stack's `!Ref` of a generated secret gives —, or
 * `env:NAME`), read through Powertools parameters, or the value itself for
 * local runs.
 */
const resolveSecretSetting = async (env: NodeJS.ProcessEnv, name: string): Promise<string> => {
  const raw = required(env, name);
  let value: string;
  try {
    value = isSecretReference(raw) ? await resolveSecret(raw, { field: name }) : raw;
  } catch (cause) {
    throw new IngestSettingError(name, (cause as Error).message, { cause });
  }
  if (value.length < MIN_SECRET_LENGTH) {
    throw new IngestSettingError(name, `must be at least ${MIN_SECRET_LENGTH} characters (got ${value.length})`);
  }
  return value;
};

/**
 * Reads INGEST_SECRET, ADMISSION_TOKEN, CLOUDEVENTS_TOKEN, QUEUE_URL and
 * TABLE_NAME. A missing or unreadable one stops the cold start, naming it.
 */
export const resolveIngestSettings = async (options: ResolveSettingsOptions = {}): Promise<IngestSettings> => {
  const env = options.env ?? process.env;
  const [hmacSecret, admissionToken, cloudeventsToken] = await Promise.all(
    SECRET_SETTINGS.map((name) => resolveSecretSetting(env, name)),
  );
  if (!/^[A-Za-z0-9._~-]+$/.test(admissionToken!)) {
    throw new IngestSettingError("ADMISSION_TOKEN", "must be URL-safe (letters, digits, . _ ~ -): it is a path segment");
  }
  return {
    cluster: options.cluster ?? loadConfig(env.FEEDBACK_CONFIG).cluster,
    queueUrl: required(env, "QUEUE_URL"),
    tableName: required(env, "TABLE_NAME"),
    hmacSecret: hmacSecret!,
    admissionToken: admissionToken!,
    cloudeventsToken: cloudeventsToken!,
    windowSeconds: INGEST_DEFAULTS.windowSeconds,
    maxBodyBytes: INGEST_DEFAULTS.maxBodyBytes,
  };
};
