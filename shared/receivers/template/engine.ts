/**
 * The one Liquid engine behind every receiver template
 * (https://liquidjs.com, Shopify's template language for templates that
 * users write): variables are read, never called, and nothing reaches the
 * file system or the network.
 *
 * - `strictVariables` and `strictFilters`: a misspelt name or filter is an
 *   error, never an empty string. `lenientIf` keeps `{% if pipeline.labels.team %}`
 *   and `| default:` working for a map key a run may not have.
 * - `ownPropertyOnly`: only a value's own properties are read, so
 *   `{{ pipeline.constructor }}` is an undefined variable, not a function.
 * - `include`, `render` and `layout` would read template files: they are
 *   replaced by tags that refuse to parse.
 * - Limits (https://liquidjs.com/tutorials/dos.html): the source's length,
 *   the time and the memory of one render; the output is cut after it.
 * - Dates render in UTC, the way runs report their times.
 */
import { Liquid, type Template } from "liquidjs";

/** Longest template source: a page of text is plenty for a message. */
export const TEMPLATE_SOURCE_MAX = 16_384;
/** Longest output kept; each receiver cuts further to its provider's limit. */
export const TEMPLATE_OUTPUT_MAX = 262_144;
/** Per render: milliseconds, and the characters filters and ranges may allocate. */
const RENDER_MS_MAX = 1000;
const RENDER_MEMORY_MAX = 1_000_000;

/** Tags that would read other templates from disk. */
const FILE_TAGS = ["include", "render", "layout"] as const;

let engine: Liquid | undefined;

/** Built on first use: a deployment without templates never pays for it. */
const liquid = (): Liquid => {
  if (engine) return engine;
  const built = new Liquid({
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    // No file lookups at all: an empty in-memory set of templates in place of the file system.
    templates: {},
    parseLimit: TEMPLATE_SOURCE_MAX,
    renderLimit: RENDER_MS_MAX,
    memoryLimit: RENDER_MEMORY_MAX,
    timezoneOffset: 0,
    locale: "en-US",
  });
  for (const name of FILE_TAGS) {
    built.registerTag(name, {
      parse() {
        throw new Error(`tag "${name}" is not available: a template cannot read other files, write it whole`);
      },
      *render() {
        return "";
      },
    });
  }
  engine = built;
  return built;
};

/** Parses a template source; throws Liquid's ParseError or TokenizationError (`…, line:1, col:4`). */
export const parseTemplate = (source: string): Template[] => liquid().parse(source);

/** Renders a parsed template against its variables; throws Liquid's RenderError or UndefinedVariableError. */
export const renderParsed = (parsed: Template[], scope: object): string => {
  const output = String(liquid().renderSync(parsed, scope));
  return output.length <= TEMPLATE_OUTPUT_MAX ? output : output.slice(0, TEMPLATE_OUTPUT_MAX);
};

/** The variables a template reads from outside (not those it assigns or loops over), with where. */
export const globalVariables = (parsed: Template[]) => Object.values(liquid().analyzeSync(parsed, { partials: false }).globals).flat();
