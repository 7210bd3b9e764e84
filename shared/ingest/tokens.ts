import { isSecretReference } from "../secrets";
import { IngestSettingError } from "./errors";
import { resolveSecretValue } from "./secret-value";

/** A CloudEvents token and the one cluster whose events it may post. */
export interface ClusterToken {
  readonly token: string;
  readonly cluster: string;
}

export const TOKENS_SETTING = "INGEST_TOKENS";

const FORMAT = 'a JSON object {"<token reference>": "<cluster>", …}';

/** The rule of the config's own `cluster`, so a token cannot name a cluster the config could not. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface TokenEntry {
  raw: string;
  cluster: string;
  setting: string;
  /** How messages name the entry: its position, and its reference when it is one (a literal is the token itself). */
  label: string;
}

/**
 * Reads `INGEST_TOKENS`: `{"<token>": "<cluster>"}`, where a key is a secret
 * reference (env:NAME, ssm:/name, an SSM or Secrets Manager ARN) or, for
 * local runs, the token itself. Tokens are the keys so that one cluster may
 * have several (rotation: add the new one, move Tekton over, drop the old
 * one). Error messages name entries by position, never by a literal key.
 */
const parseTokenMap = (text: string): TokenEntry[] => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the fault, which may be a literal token.
    throw new IngestSettingError(TOKENS_SETTING, `is not JSON: expected ${FORMAT}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new IngestSettingError(TOKENS_SETTING, `must be ${FORMAT}`);
  }
  return Object.entries(value).map(([raw, cluster], index) => {
    const label = `entry ${index + 1}${isSecretReference(raw) ? ` (${raw})` : ""}`;
    if (typeof cluster !== "string" || !CLUSTER_NAME.test(cluster)) {
      throw new IngestSettingError(TOKENS_SETTING, `${label}: the cluster must be a lower-case name of letters, digits and '-', at most 63 characters`);
    }
    return { raw, cluster, setting: TOKENS_SETTING, label };
  });
};

/**
 * Every token `POST /cloudevents` accepts, each bound to its cluster:
 * `CLOUDEVENTS_TOKEN` (when set) for the config's own cluster, then those of
 * `INGEST_TOKENS`. At least one is needed; one token for two clusters is
 * refused, since its events could not say which they belong to.
 */
export const resolveClusterTokens = async (env: NodeJS.ProcessEnv, ownCluster: string): Promise<ClusterToken[]> => {
  const entries: TokenEntry[] = [];
  if (env.CLOUDEVENTS_TOKEN) entries.push({ raw: env.CLOUDEVENTS_TOKEN, cluster: ownCluster, setting: "CLOUDEVENTS_TOKEN", label: "" });
  const map = env[TOKENS_SETTING]?.trim();
  if (map) entries.push(...parseTokenMap(map));
  if (entries.length === 0) {
    throw new IngestSettingError("CLOUDEVENTS_TOKEN", `is not set, and ${TOKENS_SETTING} names no token: POST /cloudevents needs at least one`);
  }
  const tokens = await Promise.all(entries.map((e) => resolveSecretValue(e.raw, e.setting, e.label)));
  const bound = new Map<string, { cluster: string; entry: TokenEntry }>();
  tokens.forEach((token, index) => {
    const entry = entries[index]!;
    const earlier = bound.get(token);
    if (earlier && earlier.cluster !== entry.cluster) {
      const name = (e: TokenEntry) => (e.label ? `${e.setting} ${e.label}` : e.setting);
      throw new IngestSettingError(TOKENS_SETTING, `${name(earlier.entry)} and ${name(entry)} are the same token for two clusters: a token must name one cluster`);
    }
    if (!earlier) bound.set(token, { cluster: entry.cluster, entry });
  });
  return [...bound].map(([token, { cluster }]) => ({ token, cluster }));
};
