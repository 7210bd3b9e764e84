import { SecretNotFoundError, SecretUnavailableError } from "./errors";
import { registerSecretValue } from "../log";
import { readKubeSecret, type SecretsKube } from "./kube-secret";
import { parseSecretReference, SecretSource, type SecretReference } from "./reference";

export interface ResolveSecretOptions {
  /** The option's name, e.g. `receivers.slack.options.url`, prefixed to every message. */
  readonly field?: string;
  /** Seconds Powertools may serve the value from its cache (default 300). */
  readonly maxAge?: number;
  /** The Kubernetes access `k8s:` references are read with; default: the process's own (in-cluster, else KUBECONFIG). */
  readonly kube?: SecretsKube;
}

const DEFAULT_MAX_AGE_SECONDS = 300;

const describe = (ref: SecretReference): string =>
  ref.source === SecretSource.Env
    ? `environment variable ${ref.name}`
    : ref.source === SecretSource.Ssm
      ? `SSM parameter ${ref.name}`
      : ref.source === SecretSource.Kubernetes
        ? `Kubernetes Secret ${ref.namespace}/${ref.name} key "${ref.key}"`
        : `Secrets Manager secret ${ref.id}${ref.jsonKey ? ` key "${ref.jsonKey}"` : ""}`;

// Powertools wraps the SDK's error in GetParameterError; the SDK's name is on the cause.
const errorNames = (error: unknown): string[] => {
  const names: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) names.push(e.name);
  return names;
};
const NOT_FOUND = new Set(["ParameterNotFound", "ParameterNotFoundError", "ResourceNotFoundException", "KubeSecretNotFound"]);

const fetchValue = async (ref: SecretReference, maxAge: number, kube: SecretsKube | undefined): Promise<unknown> => {
  switch (ref.source) {
    case SecretSource.Env:
      return process.env[ref.name];
    case SecretSource.Ssm: {
      // Loaded on first use so receivers configured with env: references never load the AWS SDK.
      const { getParameter } = await import("@aws-lambda-powertools/parameters/ssm");
      return getParameter(ref.name, { decrypt: true, maxAge });
    }
    case SecretSource.SecretsManager: {
      const { getSecret } = await import("@aws-lambda-powertools/parameters/secrets");
      const value = await getSecret(ref.id, { maxAge });
      return value instanceof Uint8Array ? new TextDecoder().decode(value) : value;
    }
    case SecretSource.Kubernetes:
      return readKubeSecret(ref, maxAge, kube);
  }
};

const pickJsonKey = (text: string, key: string, what: string, prefix: string): unknown => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new SecretNotFoundError(`${prefix}${what} is not JSON, so key "${key}" cannot be read`, what, { cause });
  }
  return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>)[key] : undefined;
};

/**
 * Reads the secret a reference points at: `env:NAME` from the environment,
 * `ssm:` names and SSM ARNs through Powertools `getParameter` (decrypted),
 * Secrets Manager ARNs through Powertools `getSecret`, `k8s:` references
 * through the API server (kube-secret.ts). Receivers call this in
 * `initialize`, once per cold start, not per message.
 */
export const resolveSecret = async (reference: string, options: ResolveSecretOptions = {}): Promise<string> => {
  const prefix = options.field ? `${options.field}: ` : "";
  const ref = parseSecretReference(reference, options.field);
  const what = describe(ref);
  let value: unknown;
  try {
    value = await fetchValue(ref, options.maxAge ?? DEFAULT_MAX_AGE_SECONDS, options.kube);
  } catch (cause) {
    const missing = errorNames(cause).some((name) => NOT_FOUND.has(name));
    const Err = missing ? SecretNotFoundError : SecretUnavailableError;
    throw new Err(`${prefix}${what} ${missing ? "does not exist" : `could not be read: ${(cause as Error).message}`}`, reference, { cause });
  }
  if (ref.source === SecretSource.SecretsManager && ref.jsonKey && typeof value === "string") {
    value = pickJsonKey(value, ref.jsonKey, what, prefix);
  }
  if (value === undefined || value === null) {
    const hint = ref.source === SecretSource.Env ? " is not set" : ref.source === SecretSource.Kubernetes ? ": the Secret has no such key" : " has no value";
    throw new SecretNotFoundError(`${prefix}${what}${hint}`, reference);
  }
  if (typeof value !== "string" || value.trim() === "") {
    throw new SecretNotFoundError(`${prefix}${what} is empty or not a string`, reference);
  }
  const secret = value.trim();
  // From here on the logger masks this value wherever it would appear.
  registerSecretValue(secret);
  return secret;
};
