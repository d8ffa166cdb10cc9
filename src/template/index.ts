// Templates (SPEC 5): Handlebars, strict about undefined values, escaping by output
// format, with kvmplay's helpers. Pure: no I/O, no SSH.
export { compileTemplate, renderTemplate, type CompiledTemplate, type CompileOptions, type TemplateVars } from './render.js';
export { renderValue, renderString, createTemplateCache, type RenderValueContext, type TemplateCache } from './value.js';
export { templateVariables, templateReferences, type TemplateReference } from './references.js';
export { checkTemplate } from './check.js';
export { formatFor, escapeXml, writeValue, TEMPLATE_FORMATS, type TemplateFormat } from './escape.js';
export { TemplateError, type TemplatePosition } from './template-error.js';
export { kib } from './helpers/kib.js';
export { mac, macFromSeed } from './helpers/mac.js';
export { uuid, uuidFromSeed, uuidV5, KVMPLAY_UUID_NAMESPACE } from './helpers/uuid.js';
export { seedOf } from './helpers/seed.js';
export { shq, xml } from './helpers/escaping.js';
export { toJson } from './helpers/json.js';
export { defaultValue, eq, ne, and, or, not, truthy } from './helpers/logic.js';
export { SafeText } from './safe-text.js';
