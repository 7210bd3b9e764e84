import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { ConfigError } from "../shared/config";
import type { SinkSettings } from "./sinks";

/**
 * The relay's settings come from its environment (the Deployment's `env`),
 * not from feedback.yaml: they describe this process (its pod, its sink, its
 * secret), while feedback.yaml describes what to watch and is shared with
 * the Lambda functions. Every variable is validated once at start; an error
 * names the variable.
 */
export interface RelaySettings {
  sink: SinkSettings;
  leaderElection: LeaderElectionSettings | undefined;
  /** Port of /healthz, /readyz and /metrics. */
  healthPort: number;
  buffer: { capacity: number; lingerMs: number };
  /** How long SIGTERM waits for the buffer to drain. */
  drainTimeoutMs: number;
  /** Where runs the relay would report deleted are kept across restarts; undefined: in memory only. */
  known: KnownObjectsSettings | undefined;
  /** `kubernetes.via: relay` with the sqs sink: this cluster's operations queue (OPERATIONS_QUEUE_URL). */
  operationsQueueUrl: string | undefined;
}

export interface KnownObjectsSettings {
  /** Undefined: the namespace of the pod's service account (in-cluster) or of the kubeconfig context. */
  namespace: string | undefined;
  configMap: string;
  saveIntervalMs: number;
}

export interface LeaderElectionSettings {
  /** Undefined: the namespace of the pod's service account (in-cluster) or of the kubeconfig context. */
  namespace: string | undefined;
  leaseName: string;
  identity: string;
  leaseDurationSeconds: number;
  renewSeconds: number;
  retrySeconds: number;
}

const seconds = (fallback: number) => z.coerce.number().positive("must be a positive number of seconds").default(fallback);
const flag = z.enum(["true", "false"], "must be true or false").default("true");

const EnvSchema = z.object({
  RELAY_SINK: z.enum(["sqs", "webhook", "stdout"], "must be sqs, webhook or stdout").default("sqs"),
  QUEUE_URL: z.string().optional(),
  OPERATIONS_QUEUE_URL: z.string().optional(),
  INGEST_URL: z.string().optional(),
  INGEST_SECRET: z.string().optional(),
  RELAY_LEADER_ELECTION: flag,
  POD_NAMESPACE: z.string().optional(),
  POD_NAME: z.string().optional(),
  RELAY_LEASE_NAME: z
    .string()
    .regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, "must be a lower-case DNS name")
    .default("kube-feedback-relay"),
  RELAY_LEASE_DURATION_SECONDS: seconds(15),
  RELAY_RENEW_SECONDS: seconds(5),
  RELAY_RETRY_SECONDS: seconds(2),
  RELAY_HEALTH_PORT: z.coerce.number().int("must be a port number").min(0).max(65_535).default(8080),
  RELAY_BUFFER_CAPACITY: z.coerce.number().int("must be a whole number").min(10, "must be at least 10").default(1000),
  RELAY_LINGER_MS: z.coerce.number().int("must be a whole number").min(0).max(10_000).default(50),
  RELAY_DRAIN_TIMEOUT_SECONDS: seconds(20),
  RELAY_KNOWN_OBJECTS: flag,
  RELAY_KNOWN_CONFIGMAP: z
    .string()
    .regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, "must be a lower-case DNS name")
    .default("kube-feedback-relay-known"),
  RELAY_KNOWN_SAVE_SECONDS: seconds(10),
});

const required = (value: string | undefined, name: string, sink: string): string => {
  if (!value) throw new ConfigError(name, `is not set: the ${sink} sink needs it`);
  return value;
};

const sinkSettings = (env: z.output<typeof EnvSchema>): SinkSettings => {
  switch (env.RELAY_SINK) {
    case "sqs":
      return { type: "sqs", queueUrl: required(env.QUEUE_URL, "QUEUE_URL", "sqs") };
    case "webhook":
      return { type: "webhook", url: required(env.INGEST_URL, "INGEST_URL", "webhook"), secret: required(env.INGEST_SECRET, "INGEST_SECRET", "webhook") };
    case "stdout":
      return { type: "stdout" };
  }
};

/** Reads the relay's settings from an environment (process.env by default); throws ConfigError naming the variable. */
export const relaySettingsFromEnv = (env: Record<string, string | undefined> = process.env): RelaySettings => {
  // Empty strings are how a Deployment leaves an optional variable unset.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = EnvSchema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? ""), issue?.message ?? "is invalid");
  }
  const parsed = result.data;
  const sink = sinkSettings(parsed);
  if (sink.type === "webhook") {
    try {
      new URL(sink.url);
    } catch {
      throw new ConfigError("INGEST_URL", `"${sink.url}" is not a URL`);
    }
  }
  const base = parsed.POD_NAME ?? hostname();
  return {
    sink,
    leaderElection:
      parsed.RELAY_LEADER_ELECTION === "true"
        ? {
            namespace: parsed.POD_NAMESPACE,
            leaseName: parsed.RELAY_LEASE_NAME,
            // A restarted container keeps its pod name; the suffix keeps it from renewing its predecessor's lease.
            identity: `${base}_${randomBytes(4).toString("hex")}`,
            leaseDurationSeconds: parsed.RELAY_LEASE_DURATION_SECONDS,
            renewSeconds: parsed.RELAY_RENEW_SECONDS,
            retrySeconds: parsed.RELAY_RETRY_SECONDS,
          }
        : undefined,
    healthPort: parsed.RELAY_HEALTH_PORT,
    buffer: { capacity: parsed.RELAY_BUFFER_CAPACITY, lingerMs: parsed.RELAY_LINGER_MS },
    drainTimeoutMs: parsed.RELAY_DRAIN_TIMEOUT_SECONDS * 1000,
    known:
      parsed.RELAY_KNOWN_OBJECTS === "true"
        ? { namespace: parsed.POD_NAMESPACE, configMap: parsed.RELAY_KNOWN_CONFIGMAP, saveIntervalMs: parsed.RELAY_KNOWN_SAVE_SECONDS * 1000 }
        : undefined,
    operationsQueueUrl: parsed.OPERATIONS_QUEUE_URL,
  };
};
