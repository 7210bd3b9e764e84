import { Logger } from "@aws-lambda-powertools/logger";

/** What a masked value is replaced with. */
export const REDACTED = "[REDACTED]";

/**
 * Shorter values are not registered: masking every occurrence of a
 * three-letter string would garble unrelated text, and no credential we
 * resolve (tokens, webhook URLs, HMAC keys, private keys) is that short.
 */
export const MIN_SECRET_LENGTH = 6;

// Longest first, so a secret that contains another is masked whole.
let secrets: string[] = [];

/**
 * Remembers a resolved secret so that the logger masks it wherever it appears
 * in a line: in the message, in any attribute, in an error's message or stack.
 * The secrets module calls this for every value it resolves.
 */
export const registerSecretValue = (value: string): void => {
  const candidates = new Set([value, value.trim()].filter((v) => v.length >= MIN_SECRET_LENGTH));
  const known = new Set(secrets);
  let added = false;
  for (const candidate of candidates) {
    if (known.has(candidate)) continue;
    known.add(candidate);
    added = true;
  }
  if (added) secrets = [...known].sort((a, b) => b.length - a.length);
};

/** Forgets every registered secret (tests). */
export const clearSecretValues = (): void => {
  secrets = [];
};

// Attribute names whose values are credentials, compared without case and separators
// (`authorization`, `x-api-key`, `privateKey`, `webhook_secret`, `accessToken`, …).
const SENSITIVE_KEY = /(?:token|secret|password|passwd|passphrase|privatekey|authorization|apikey|credentials?|cookie)$/;

export const isSensitiveKey = (key: string): boolean => SENSITIVE_KEY.test(key.replace(/[-_.\s]/g, "").toLowerCase());

// Credentials in free text that were never registered (an SDK's error message, a URL
// someone logged). Patterns are narrow on purpose: masking ordinary words would hide
// the very messages an operator needs.
const TEXT_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{16,}/gi, `$1 ${REDACTED}`],
  // user:password@ in URLs.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, `$1${REDACTED}@`],
  // GitHub, GitLab and Slack token formats, and Slack webhook URLs (the path is the secret).
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abeprs]-[A-Za-z0-9-]{10,})/g, REDACTED],
  [/(hooks\.slack\.com\/services\/)[A-Za-z0-9/]+/g, `$1${REDACTED}`],
  // token=… in query strings and form bodies, "token": "…" in embedded JSON.
  [/([?&;]|\b)((?:access_?)?token|secret|password|api_?key|signature)=[^&\s"';]+/gi, `$1$2=${REDACTED}`],
  [/("(?:[A-Za-z_-]*(?:token|secret|password|apiKey|api_key|authorization|privateKey))"\s*:\s*)"[^"]*"/gi, `$1"${REDACTED}"`],
];

/** Masks registered secret values and well-known credential shapes in a string. */
export const redactText = (text: string): string => {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
};

/**
 * JSON replacer for log lines: a sensitive attribute's whole value is masked,
 * every other string is passed through `redactText`. Powertools calls it for
 * every key and value of a line, nested ones and formatted errors included.
 */
export const redactReplacer = (key: string, value: unknown): unknown => {
  if (key !== "" && isSensitiveKey(key) && value !== undefined && value !== null && value !== "") return REDACTED;
  return typeof value === "string" ? redactText(value) : value;
};

/** Masks a value for output outside the logger (CLI messages, stored error texts). */
export const redact = <T>(value: T): T =>
  value === undefined ? value : (JSON.parse(JSON.stringify(value, redactReplacer)) as T);

/**
 * One Powertools logger for the whole program: JSON lines with the service
 * name, so CloudWatch Logs Insights can query them. Children carry the
 * correlation fields of the event at hand and inherit the redaction
 * (`createChild` copies `jsonReplacerFn`). Powertools has no masking of its
 * own in TypeScript; its documented hook for custom serialisation is the
 * JSON replacer, so redaction lives there.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "kube-feedback",
  jsonReplacerFn: redactReplacer,
});

export type Log = Pick<Logger, "debug" | "info" | "warn" | "error">;

type Message = Parameters<Logger["info"]>[0];

/**
 * The logger with `keys` on every line it writes: a record's correlation
 * fields. Cheaper than `createChild` per record, which builds a whole Logger
 * (copying its settings and buffers) for every SQS record, most of which
 * log nothing at the default level; here the keys cost something only when a
 * line is written.
 */
export const withKeys = (keys: Record<string, unknown>, base: Log = logger): Log => {
  const line =
    (level: keyof Log) =>
    (message: Message, ...extra: unknown[]): void =>
      (base[level] as (message: Message, ...extra: unknown[]) => void)(message, keys, ...extra);
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") } as Log;
};
