/**
 * Checks requests against GitHub's published OpenAPI description
 * (@octokit/openapi, api.github.com.json): the operation must exist for the
 * method and path, path and query parameters must fit their schemas, and the
 * body must fit the request body schema (required fields, types, enums,
 * lengths, anyOf/oneOf, and no properties the schema does not name).
 *
 * Hand-written because no JSON Schema validator is a declared dependency,
 * and the document is OpenAPI 3.0 (`nullable`, `$ref` into components, `x-`
 * keywords), which would need configuring a generic validator anyway; the
 * subset below is all that GitHub's request schemas use.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Schema[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation | Schema[]>>;
  components: Record<string, Record<string, Schema>>;
}

interface CompiledPath {
  template: string;
  pattern: RegExp;
  names: string[];
  literalLength: number;
}

const METHODS = new Set(["get", "post", "put", "patch", "delete"]);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

let cached: OpenApiValidator | undefined;

export interface ValidatedRequest {
  readonly method: string;
  /** Path relative to the API root (a GitHub Enterprise `/api/v3` prefix removed). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export class OpenApiValidator {
  readonly #doc: OpenApiDocument;
  readonly #paths: CompiledPath[];

  constructor(doc: OpenApiDocument) {
    this.#doc = doc;
    this.#paths = Object.keys(doc.paths).map((template) => {
      const names: string[] = [];
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(name);
          return "([^/]+)";
        })
        .join("");
      return { template, pattern: new RegExp(`^${source}$`), names, literalLength: template.replace(/\{[^}]+\}/g, "").length };
    });
  }

  /** The api.github.com description, parsed once per test process (13 MB). */
  static github(): OpenApiValidator {
    if (!cached) {
      const file = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
      cached = new OpenApiValidator(JSON.parse(readFileSync(file, "utf8")) as OpenApiDocument);
    }
    return cached;
  }

  /** Every way the request departs from the description; empty when it conforms. */
  validate(request: ValidatedRequest): string[] {
    const method = request.method.toLowerCase();
    const where = `${request.method} ${request.path}`;
    const candidates = this.#paths
      .map((path) => ({ path, match: path.pattern.exec(request.path) }))
      .filter((candidate) => candidate.match && METHODS.has(method) && this.#doc.paths[candidate.path.template]?.[method]);
    candidates.sort((a, b) => b.path.literalLength - a.path.literalLength);
    const found = candidates[0];
    if (!found) return [`${where}: no operation in the OpenAPI description`];
    const item = this.#doc.paths[found.path.template]!;
    const operation = item[method] as Operation;
    const label = `${where} (${operation.operationId ?? found.path.template})`;
    const parameters = [...((item.parameters as Schema[] | undefined) ?? []), ...(operation.parameters ?? [])].map(
      (parameter) => this.#resolve(parameter) as unknown as Parameter,
    );
    const errors: string[] = [];
    found.path.names.forEach((name, index) => {
      const value = decodeURIComponent(found.match![index + 1]!);
      const parameter = parameters.find((p) => p.in === "path" && p.name === name);
      if (parameter?.schema) this.#check(parameter.schema, coerce(parameter.schema, value, this), `path.${name}`, errors);
    });
    for (const [name, value] of Object.entries(request.query)) {
      const parameter = parameters.find((p) => p.in === "query" && p.name === name);
      if (!parameter) errors.push(`query.${name}: not a parameter of this operation`);
      else if (parameter.schema) this.#check(parameter.schema, coerce(parameter.schema, value, this), `query.${name}`, errors);
    }
    for (const parameter of parameters.filter((p) => p.in === "query" && p.required)) {
      if (!(parameter.name in request.query)) errors.push(`query.${parameter.name}: required`);
    }
    const content = operation.requestBody?.content?.["application/json"];
    if (request.body === undefined) {
      if (operation.requestBody?.required) errors.push("body: required");
    } else if (!content?.schema) {
      errors.push("body: this operation takes no body");
    } else {
      this.#check(content.schema, request.body, "body", errors);
    }
    return errors.map((error) => `${label}: ${error}`);
  }

  resolve(schema: Schema): Schema {
    return this.#resolve(schema);
  }

  #resolve(schema: Schema): Schema {
    let current = schema;
    for (let depth = 0; typeof current.$ref === "string" && depth < 20; depth++) {
      const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(current.$ref) ?? [];
      const target = section && name ? this.#doc.components[section]?.[name] : undefined;
      if (!target) throw new Error(`openapi: cannot resolve ${current.$ref}`);
      current = target;
    }
    return current;
  }

  #check(raw: Schema, value: unknown, at: string, errors: string[]): void {
    const schema = this.#resolve(raw);
    if (value === null) {
      if (!schema.nullable && schema.type !== undefined) errors.push(`${at}: null is not allowed`);
      return;
    }
    for (const part of (schema.allOf as Schema[] | undefined) ?? []) this.#check(part, value, at, errors);
    const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
    if (alternatives) {
      const passing = alternatives.filter((alternative) => {
        const trial: string[] = [];
        this.#check(alternative, value, at, trial);
        return trial.length === 0;
      }).length;
      if (passing === 0) errors.push(`${at}: matches none of the ${schema.anyOf ? "anyOf" : "oneOf"} alternatives`);
      if (schema.oneOf && passing > 1) errors.push(`${at}: matches ${passing} oneOf alternatives`);
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
      errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
      return;
    }
    const type = schema.type as string | undefined;
    if (type && !hasType(type, value)) {
      errors.push(`${at}: expected ${type}, got ${Array.isArray(value) ? "array" : typeof value}`);
      return;
    }
    if (typeof value === "string") checkString(schema, value, at, errors);
    if (typeof value === "number") {
      if (typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${at}: below minimum ${schema.minimum}`);
      if (typeof schema.maximum === "number" && value > schema.maximum) errors.push(`${at}: above maximum ${schema.maximum}`);
    }
    if (Array.isArray(value)) {
      if (typeof schema.maxItems === "number" && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
      if (typeof schema.minItems === "number" && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
      if (schema.items) value.forEach((item, index) => this.#check(schema.items as Schema, item, `${at}[${index}]`, errors));
    }
    if (value && typeof value === "object" && !Array.isArray(value)) this.#checkObject(schema, value as Record<string, unknown>, at, errors);
  }

  #checkObject(schema: Schema, value: Record<string, unknown>, at: string, errors: string[]): void {
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const name of (schema.required as string[] | undefined) ?? []) {
      if (!(name in value)) errors.push(`${at}.${name}: required`);
    }
    const additional = schema.additionalProperties;
    for (const [name, item] of Object.entries(value)) {
      const property = properties[name];
      if (property) this.#check(property, item, `${at}.${name}`, errors);
      else if (additional && typeof additional === "object") this.#check(additional as Schema, item, `${at}.${name}`, errors);
      // Stricter than JSON Schema on purpose: a property GitHub does not define is a client bug.
      else if (additional === undefined && schema.properties) errors.push(`${at}.${name}: not defined by the schema`);
      else if (additional === false) errors.push(`${at}.${name}: not allowed`);
    }
  }
}

const hasType = (type: string, value: unknown): boolean => {
  switch (type) {
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    default:
      return typeof value === type;
  }
};

const checkString = (schema: Schema, value: string, at: string, errors: string[]): void => {
  if (typeof schema.maxLength === "number" && value.length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
  if (typeof schema.minLength === "number" && value.length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
  if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
  if (schema.format === "date-time" && !DATE_TIME.test(value)) errors.push(`${at}: not an ISO 8601 date-time`);
};

/** Path and query values arrive as text: read them as the schema's type before checking. */
const coerce = (raw: Schema, value: string, validator: OpenApiValidator): unknown => {
  const type = validator.resolve(raw).type;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
};
