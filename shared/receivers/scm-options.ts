/**
 * Options of the `scm` receiver: the common keys here, each SCM's own keys
 * in its descriptor (shared/scm/<type>), one strict schema per SCM (so a
 * GitLab receiver with an `app` key is an error naming that key), secrets by
 * reference only, and the step that turns them into provider options once
 * the secrets are read in `initialize`.
 */
import { z } from "zod";
import { registeredScms, scmFor, scmNames, type ScmDescriptor } from "../scm";
import { resolveSecret } from "../secrets";
import { DEFAULT_STATUS_NAME, STATUS_NAME_VARIABLES, unknownVariables, type TargetSettings } from "./scm-status";
import { templateOption } from "./template";
import { ALL_EVENTS, eventsOption, timeoutOption } from "./webhook";

const statusNameOption = z
  .string()
  .trim()
  .min(1, "cannot be empty")
  .default(DEFAULT_STATUS_NAME)
  .superRefine((template, ctx) => {
    const unknown = unknownVariables(template);
    if (unknown.length > 0) {
      ctx.addIssue({ code: "custom", message: `unknown variable {{${unknown[0]}}} (known: ${STATUS_NAME_VARIABLES.map((v) => `{{${v}}}`).join(", ")})` });
    }
  });

/** `owner/name`; GitLab also takes nested groups (`group/sub/project`). */
const repoOption = (nested: boolean) =>
  z
    .string()
    .trim()
    .regex(nested ? /^[^/\s]+(\/[^/\s]+)+$/ : /^[^/\s]+\/[^/\s]+$/, nested ? "must be group/project (groups may nest)" : "must be owner/name")
    .optional();

const common = (nestedRepo: boolean) => ({
  statusName: statusNameOption,
  events: eventsOption(ALL_EVENTS),
  /** A pull/merge request comment with the stage table, kept up to date in place. */
  comment: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  /** Post to this repository instead of the run's. */
  repo: repoOption(nestedRepo),
  timeoutSeconds: timeoutOption,
  /**
   * Texts in place of the defaults: the status description, a GitHub check
   * run's summary (else the description) and text, the request comment.
   */
  template: z
    .strictObject({
      description: templateOption().optional(),
      summary: templateOption().optional(),
      text: templateOption().optional(),
      comment: templateOption().optional(),
    })
    .optional(),
});

const cache = new WeakMap<ScmDescriptor, z.ZodType>();

/** The full options of an `scm` receiver for one SCM: its own keys, the common ones, strict. */
const schemaOf = (scm: ScmDescriptor): z.ZodType => {
  let schema = cache.get(scm);
  if (!schema) {
    const { receiver } = scm;
    schema = z
      .strictObject({ provider: z.enum([scm.type, ...scm.aliases] as [string, ...string[]]), ...receiver.shape, ...common(receiver.nestedRepo === true) })
      .superRefine((options, ctx) => {
        receiver.refine?.(options as Record<string, unknown>, ctx);
        if (options.comment.enabled && !scm.comments) {
          const commenting = registeredScms().filter((d) => d.comments).map((d) => d.type);
          ctx.addIssue({ code: "custom", path: ["comment", "enabled"], message: `comments are supported on ${commenting.join(" and ")}, not ${options.provider}` });
        }
      });
    cache.set(scm, schema);
  }
  return schema;
};

/**
 * Options of an `scm` receiver: `provider` picks the SCM from the registry
 * (so a registered SCM needs no line here), whose schema then reads the rest
 * with its own paths (`options.app.privateKey`).
 */
export const ScmOptions = z.unknown().transform((input, ctx) => {
  const provider = (input as { provider?: unknown } | null | undefined)?.provider;
  const scm = typeof provider === "string" ? scmFor(provider) : undefined;
  if (!scm) {
    ctx.addIssue({ code: "custom", path: ["provider"], message: `provider must be one of ${scmNames().join(", ")}`, input: provider });
    return z.NEVER;
  }
  const parsed = schemaOf(scm).safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return { ...(parsed.data as CommonOptions & Record<string, unknown>), scm };
});
export type ScmOptions = z.output<typeof ScmOptions>;

type CommonOptions = z.output<z.ZodObject<ReturnType<typeof common>>> & { provider: string };

/** The one web host whose repositories this receiver serves (statusTargetOf posts only for runs on it). */
export const webHostOf = (options: ScmOptions): string => options.scm.receiver.webHost(options);

/** The SCM's own test of a run's repository location, bound to these options; undefined where the host decides. */
export const elsewhereOf = (options: ScmOptions): TargetSettings["elsewhere"] => {
  const { elsewhere } = options.scm.receiver;
  return elsewhere && ((location) => elsewhere(options, location));
};

export interface ResolvedProvider {
  readonly scm: ScmDescriptor;
  /** Provider options for `connect`, secrets read. */
  readonly options: Record<string, unknown>;
}

/** Reads the secrets the options point at; `field` names an option in messages. */
export const resolveProviderOptions = async (options: ScmOptions, field: (path: string) => string): Promise<ResolvedProvider> => {
  const secret = (reference: string, path: string) => resolveSecret(reference, { field: field(path) });
  return { scm: options.scm, options: await options.scm.receiver.resolve(options, secret, options.timeoutSeconds * 1000) };
};
