import { parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "./errors";
import { formatPath } from "./path";
import { ConfigSchema, type FeedbackConfig } from "./schema";
import { DEFAULT_CONFIG_YAML } from "./default";
import { checkDocument } from "./document";
import { checkFlowDepth, checkTextSize, readConfigFile } from "./limits";
import { checkUnique } from "./unique";

/** Turns the first zod issue into a ConfigError naming the offending key. */
export const toConfigError = (error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): ConfigError => {
  // A misspelt key also makes the key it should have been "required": name the cause, not its echo.
  const issue = error.issues.find((i) => i.code === "unrecognized_keys") ?? error.issues[0];
  if (!issue) return new ConfigError(formatPath(prefix), "is invalid");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    return new ConfigError(formatPath([...prefix, ...issue.path, key]), "unknown key");
  }
  return new ConfigError(formatPath([...prefix, ...issue.path]), issue.message);
};

/**
 * Validates an already parsed config object, from YAML or built in code:
 * the document's shape and size first (reserved keys, depth), then the
 * schema, then what repeats across entries.
 */
export const parseConfig = (value: unknown, source = "config object"): FeedbackConfig => {
  checkDocument(value, source);
  const result = ConfigSchema.safeParse(value ?? {});
  if (!result.success) throw toConfigError(result.error);
  checkUnique(result.data);
  return result.data;
};

/** Parses and validates `feedback.yaml` text; YAML syntax errors name the line. */
export const parseConfigYaml = (text: string, source = "feedback.yaml"): FeedbackConfig => {
  checkTextSize(text, source);
  checkFlowDepth(text, source);
  const doc = parseDocument(text, { uniqueKeys: true });
  const [syntax] = doc.errors;
  if (syntax) {
    const line = syntax.linePos?.[0]?.line;
    throw new ConfigError("", `${source}${line ? ` line ${line}` : ""}: ${syntax.message.split("\n")[0]}`);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (cause) {
    // The yaml library finds some faults only while building values (an alias with no anchor, an alias bomb).
    throw new ConfigError("", `${source}: ${(cause as Error).message}`, { cause });
  }
  return parseConfig(value, source);
};

/** Loads the config from a file, or the embedded default when no file is given. */
export const loadConfig = (file?: string): FeedbackConfig => {
  if (!file) return parseConfigYaml(DEFAULT_CONFIG_YAML, "embedded default config");
  return parseConfigYaml(readConfigFile(file), file);
};
