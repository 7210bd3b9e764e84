/**
 * A template, parsed and checked once per source text: Liquid's parser, the
 * variables it reads against the declared ones (variables.ts), then a
 * render for every sample run (shared/pipeline/condition/samples.ts: each
 * event, each phase it comes with, runs with optional fields unset and
 * set). A problem is a TemplateError with the reason; the option's schema
 * (option.ts) turns it into a config error at the key's path.
 */
import { RUN_SAMPLES } from "../../pipeline/condition";
import type { LifecycleEvent } from "../../pipeline/receiver";
import type { PipelineInfo } from "../../pipeline/types";
import { parseTemplate, renderParsed } from "./engine";
import { templateScope, unknownVariable } from "./variables";

/** Why a template cannot be used. */
export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TemplateError";
  }
}

/** A receiver's template, checked at start. */
export interface MessageTemplate {
  readonly source: string;
  /** The text for one callback. Throws a TemplateError on a run the samples did not foresee (a label read without a guard). */
  render(event: LifecycleEvent, info: PipelineInfo): string;
}

/** Liquid ends its messages with `, line:1, col:4`; ours say `at line 1, column 4`. */
const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/, line:(\d+), col:(\d+)$/, " at line $1, column $2");

const compile = (source: string): MessageTemplate => {
  let parsed: ReturnType<typeof parseTemplate>;
  try {
    parsed = parseTemplate(source);
  } catch (error) {
    throw new TemplateError(reasonOf(error), { cause: error });
  }
  const unknown = unknownVariable(parsed);
  if (unknown) throw new TemplateError(unknown);
  const render = (event: LifecycleEvent, info: PipelineInfo): string => {
    try {
      return renderParsed(parsed, templateScope(event, info));
    } catch (error) {
      throw new TemplateError(reasonOf(error), { cause: error });
    }
  };
  for (const { event, info, runLabel } of RUN_SAMPLES) {
    try {
      render(event, info);
    } catch (error) {
      const guard = (error as Error).message.startsWith("undefined variable") ? "; read what a run may lack inside {% if %} or with | default" : "";
      throw new TemplateError(`${(error as Error).message}, on a run with event "${event}", pipeline.phase "${info.phase}", ${runLabel}${guard}`, {
        cause: error,
      });
    }
  }
  return { source, render };
};

/** By source: one receiver's template, or two receivers with the same one, are parsed and checked once per process. */
const compiled = new Map<string, MessageTemplate>();

/** The checked template for `source`; throws a TemplateError saying what is wrong. */
export const compileTemplate = (source: string): MessageTemplate => {
  const known = compiled.get(source);
  if (known) return known;
  const template = compile(source);
  compiled.set(source, template);
  return template;
};
