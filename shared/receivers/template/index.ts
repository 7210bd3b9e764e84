export { compileTemplate, TemplateError, type MessageTemplate } from "./compile";
export { TEMPLATE_OUTPUT_MAX, TEMPLATE_SOURCE_MAX } from "./engine";
export { renderTemplate, templateOption, type TemplateSite } from "./option";
export { templateScope } from "./variables";
