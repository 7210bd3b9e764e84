/**
 * How a receiver takes a template: `templateOption()` in its options schema
 * parses and checks the source when the config is read, so a broken one is
 * a config error at the key's path (`receivers[0].options.template`) with
 * the reason, and `renderTemplate` renders it for one callback.
 */
import { z } from "zod";
import type { ReceiverContext } from "../../pipeline/receiver";
import type { PipelineInfo } from "../../pipeline/types";
import { truncate } from "../format";
import { compileTemplate, TemplateError, type MessageTemplate } from "./compile";
import { TEMPLATE_SOURCE_MAX } from "./engine";

/** A Liquid template, checked at start; the output is a MessageTemplate. Add `.optional()`: no template means the default text. */
export const templateOption = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a template (a string)") })
    .min(1, "cannot be empty")
    .max(TEMPLATE_SOURCE_MAX, `at most ${TEMPLATE_SOURCE_MAX} characters`)
    .transform((source, ctx): MessageTemplate => {
      try {
        return compileTemplate(source);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        ctx.addIssue({ code: "custom", message: error.message, input: source });
        return z.NEVER;
      }
    });

/** Which receiver and option a template is, for the log line of a failed render. */
export interface TemplateSite {
  readonly receiver: string;
  /** `template`, `template.description`. */
  readonly option: string;
}

/**
 * The template's text for this callback, cut to `max` characters (the
 * provider's limit); undefined without a template. Undefined too, so the
 * receiver sends its default text rather than nothing or a message its
 * provider refuses, when the text is blank (`when` is the way to send
 * nothing) and when the render fails on a run the start-time samples did
 * not foresee (a limit reached), which is said in the log.
 */
export const renderTemplate = (
  template: MessageTemplate | undefined,
  ctx: ReceiverContext,
  info: PipelineInfo,
  site: TemplateSite,
  max = Number.POSITIVE_INFINITY,
): string | undefined => {
  if (!template) return undefined;
  try {
    const text = template.render(ctx.event, info);
    return text.trim() === "" ? undefined : truncate(text, max);
  } catch (error) {
    ctx.log.warn(`receiver ${site.receiver}: options.${site.option} could not be rendered for ${info.id}, the default text is sent: ${(error as Error).message}`, {
      receiver: site.receiver,
      run: info.id,
    });
    return undefined;
  }
};
