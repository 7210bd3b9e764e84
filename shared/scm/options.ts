/**
 * Provider options are validated once, at construction, with schemas that
 * forbid unknown keys: a typo or an empty secret fails at start with the
 * option named (`gitlab token cannot be empty`), never at the first event.
 * The schemas are exported so that config schemas can embed them.
 */
import { z } from "zod";
import { InvalidProviderOptionsError } from "./errors";

/** A required, non-blank string; `label` starts every message (`gitlab token`). */
export const requiredText = (label: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a string`) })
    .trim()
    .min(1, { error: `${label} cannot be empty` });

/** An http(s) URL without a trailing slash, so paths can be appended. */
export const httpUrl = (label: string) =>
  requiredText(label)
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
      error: `${label} must be an http(s) URL`,
    })
    .transform((value) => value.replace(/\/+$/, ""));

export const timeoutMs = (label: string) =>
  z.number({ error: `${label} must be a number of milliseconds` }).int().positive({ error: `${label} must be positive` });

/** Default for every request's timeout: well inside a Lambda's budget, long enough for a slow SCM. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Parses options or throws InvalidProviderOptionsError naming the first bad option. */
export const parseProviderOptions = <S extends z.ZodType>(kind: string, schema: S, input: unknown): z.output<S> => {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new InvalidProviderOptionsError("", `${kind} options are invalid`);
  const path = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const key = [path, issue.keys[0] ?? ""].filter(Boolean).join(".");
    throw new InvalidProviderOptionsError(key, `${kind} option "${key}" is not supported`);
  }
  throw new InvalidProviderOptionsError(path, issue.message.startsWith(kind) ? issue.message : `${kind} ${path}: ${issue.message}`);
};

/** Either a bearer `token`, or basic `username` + `password` (Bitbucket app passwords and API tokens). */
export const credentialFields = (kind: string) => ({
  token: requiredText(`${kind} token`).optional(),
  username: requiredText(`${kind} username`).optional(),
  password: requiredText(`${kind} password`).optional(),
});

/** Refinement for `credentialFields`: exactly one way to authenticate. */
export const exactlyOneCredential =
  (kind: string) =>
  (options: { token?: string; username?: string; password?: string }, ctx: z.RefinementCtx): void => {
    const basic = options.username !== undefined || options.password !== undefined;
    if (options.token !== undefined && basic) {
      ctx.addIssue({ code: "custom", path: ["token"], message: `${kind} needs either token or username and password, not both` });
    } else if (options.token === undefined && !basic) {
      ctx.addIssue({ code: "custom", path: ["token"], message: `${kind} token cannot be empty (or give username and password)` });
    } else if (basic && (options.username === undefined || options.password === undefined)) {
      const missing = options.username === undefined ? "username" : "password";
      ctx.addIssue({ code: "custom", path: [missing], message: `${kind} ${missing} cannot be empty when basic credentials are used` });
    }
  };
