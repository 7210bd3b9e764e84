import { z } from "zod";
import { InvalidSecretReferenceError } from "./errors";

export const SecretSource = {
  Env: "env",
  Ssm: "ssm",
  SecretsManager: "secretsmanager",
} as const;
export type SecretSource = (typeof SecretSource)[keyof typeof SecretSource];

/** Where a secret lives. `jsonKey` picks one key of a Secrets Manager key/value secret. */
export type SecretReference =
  | { readonly source: typeof SecretSource.Env; readonly name: string }
  | { readonly source: typeof SecretSource.Ssm; readonly name: string }
  | { readonly source: typeof SecretSource.SecretsManager; readonly id: string; readonly jsonKey?: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// SSM parameter names: letters, digits and . - _ /, optionally hierarchical (AWS's documented constraints).
const SSM_NAME = /^\/?[A-Za-z0-9_.\-]+(\/[A-Za-z0-9_.\-]+)*$/;
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@\-]+$/;

export const REFERENCE_FORMS = "env:NAME, ssm:/parameter/name, or an arn:aws:ssm:…:parameter/… or arn:aws:secretsmanager:… ARN";

/**
 * Parses a secret reference. A literal is rejected so secrets never sit in
 * feedback.yaml (which ends up in git and in Lambda environment listings);
 * the message never repeats the value, which may be the secret itself.
 */
export const parseSecretReference = (value: string, field?: string): SecretReference => {
  const fail = (reason: string): never => {
    throw new InvalidSecretReferenceError(reason, field);
  };
  if (value.startsWith("env:")) {
    const name = value.slice(4);
    if (!ENV_NAME.test(name)) fail("env: must be followed by an environment variable name such as SLACK_WEBHOOK_URL");
    return { source: SecretSource.Env, name };
  }
  if (value.startsWith("ssm:")) {
    const name = value.slice(4);
    if (!SSM_NAME.test(name)) fail("ssm: must be followed by a parameter name such as /kube-feedback/slack-url");
    return { source: SecretSource.Ssm, name };
  }
  if (value.startsWith("arn:")) {
    if (SSM_ARN.test(value)) return { source: SecretSource.Ssm, name: value };
    // '#' cannot occur in an ARN, so it safely separates the optional JSON key.
    const [arn = "", jsonKey, ...rest] = value.split("#");
    if (SECRET_ARN.test(arn) && rest.length === 0 && jsonKey !== "") {
      return { source: SecretSource.SecretsManager, id: arn, ...(jsonKey === undefined ? {} : { jsonKey }) };
    }
    return fail("is an ARN but not of an SSM parameter or a Secrets Manager secret");
  }
  return fail(`must be a secret reference (${REFERENCE_FORMS}), not the secret itself`);
};

export const isSecretReference = (value: string): boolean => {
  try {
    parseSecretReference(value);
    return true;
  } catch {
    return false;
  }
};

/** Schema of an option that holds a secret: only references pass, so a pasted token is a start-up error. */
export const secretReference = () =>
  z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string such as env:NAME") }).superRefine((value, ctx) => {
    try {
      parseSecretReference(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as InvalidSecretReferenceError).reason });
    }
  });
