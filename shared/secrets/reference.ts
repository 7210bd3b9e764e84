import { z } from "zod";
import { InvalidSecretReferenceError } from "./errors";

export const SecretSource = {
  Env: "env",
  Ssm: "ssm",
  SecretsManager: "secretsmanager",
  Kubernetes: "k8s",
} as const;
export type SecretSource = (typeof SecretSource)[keyof typeof SecretSource];

/** Where a secret lives. `jsonKey` picks one key of a Secrets Manager key/value secret. */
export type SecretReference =
  | { readonly source: typeof SecretSource.Env; readonly name: string }
  | { readonly source: typeof SecretSource.Ssm; readonly name: string }
  | { readonly source: typeof SecretSource.SecretsManager; readonly id: string; readonly jsonKey?: string }
  /** One key of a Kubernetes Secret, read through the API server with the process's own access. */
  | { readonly source: typeof SecretSource.Kubernetes; readonly namespace: string; readonly name: string; readonly key: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// SSM parameter names: letters, digits and . - _ /, optionally hierarchical (AWS's documented constraints).
const SSM_NAME = /^\/?[A-Za-z0-9_.\-]+(\/[A-Za-z0-9_.\-]+)*$/;
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@\-]+$/;
// Kubernetes names: a namespace is an RFC 1123 label, a Secret an RFC 1123
// subdomain, a key what a Secret's data keys may be (Kubernetes API
// conventions, "Names"; core/v1 Secret `data`).
const KUBE_NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const KUBE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KUBE_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

export const REFERENCE_FORMS = "env:NAME, ssm:/parameter/name, k8s:namespace/secret#key, or an arn:aws:ssm:…:parameter/… or arn:aws:secretsmanager:… ARN";

/** `k8s:<namespace>/<secret>#<key>`, with each part checked as Kubernetes checks it. */
const parseKubeReference = (body: string): SecretReference | undefined => {
  const match = /^([^/#]*)\/([^/#]*)#([^#]*)$/.exec(body);
  if (!match) return undefined;
  const [, namespace = "", name = "", key = ""] = match;
  if (!KUBE_NAMESPACE.test(namespace) || !KUBE_NAME.test(name) || !KUBE_KEY.test(key)) return undefined;
  return { source: SecretSource.Kubernetes, namespace, name, key };
};

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
  if (value.startsWith("k8s:")) {
    return parseKubeReference(value.slice(4)) ?? fail("k8s: must be followed by namespace/secret#key, such as k8s:ci/slack#url (lower-case names)");
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
