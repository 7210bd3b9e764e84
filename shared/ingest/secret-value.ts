import { registerSecretValue } from "../log";
import { isSecretReference, resolveSecret } from "../secrets";
import { IngestSettingError } from "./errors";

/** Short keys can be guessed; the stack generates 48 characters. */
export const MIN_SECRET_LENGTH = 16;

/**
 * A secret setting holds either a reference (`ssm:/name`, an SSM or Secrets
 * Manager ARN — what the stack's `!Ref` of a generated secret gives —, or
 * `env:NAME`), read through Powertools parameters, or the value itself for
 * local runs. Either way the value is registered with the logger, which
 * masks it in every line from then on (a literal never went through
 * resolveSecret, which registers what it reads). `label` says which part of
 * the setting is meant; messages never repeat a literal value.
 */
export const resolveSecretValue = async (raw: string, setting: string, label = ""): Promise<string> => {
  const prefix = label ? `${label}: ` : "";
  let value: string;
  try {
    value = isSecretReference(raw) ? await resolveSecret(raw) : raw;
  } catch (cause) {
    throw new IngestSettingError(setting, `${prefix}${(cause as Error).message}`, { cause });
  }
  if (value.length < MIN_SECRET_LENGTH) {
    throw new IngestSettingError(setting, `${prefix}must be at least ${MIN_SECRET_LENGTH} characters (got ${value.length})`);
  }
  registerSecretValue(value);
  return value;
};
