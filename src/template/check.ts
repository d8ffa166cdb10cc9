// Validation-time checking of a template: everything compileTemplate would reject,
// plus the variables it reads, from a single parse. The playbook loader checks
// thousands of argument strings; compileTemplate + templateReferences parsed each
// twice and built a Handlebars environment whose compiled function was never called.
import { checkTemplateBounds, parseTemplate } from './parse.js';
import { referencesOf, type TemplateReference } from './references.js';
import { transformTemplate } from './transform.js';

/**
 * Throws the TemplateError compileTemplate(source, { name }) would throw; else
 * returns templateReferences(source). Handlebars' own compile step is lazy (it runs
 * on the first render), so parse + the strictness rewrite are all that can fail here.
 */
export function checkTemplate(source: string, name: string): TemplateReference[] {
  checkTemplateBounds(source, name);
  const simple = simpleReferences(source);
  if (simple) return simple;
  const program = parseTemplate(source, name);
  // Run for its errors only: the rewrite builds new nodes and leaves `program` as parsed.
  transformTemplate(program, source, name, 'write');
  return referencesOf(program);
}

// `{{ name }}` / `{{ vm.name }}` between text without braces or backslashes: most
// argument strings. Such a template always compiles and reads exactly its paths, so
// the Handlebars parser (most of the cost, cold) is not needed. Anything else —
// helpers, blocks, `~`, literals, `this`, `@data`, `../` — goes the full way.
const SIMPLE = /^[^{}\\\r\u2028\u2029]*(?:\{\{ *[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)* *\}\}[^{}\\\r\u2028\u2029]*)+$/;
const MUSTACHE = /\{\{( *)([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*) *\}\}/g;
// Words the Handlebars lexer reads as something other than a variable name.
const RESERVED = new Set(['true', 'false', 'null', 'undefined', 'this', 'else', 'as']);

/** References of a template of only plain paths, as Handlebars would place them; undefined otherwise. */
export function simpleReferences(source: string): TemplateReference[] | undefined {
  if (!SIMPLE.test(source)) return undefined;
  const refs: TemplateReference[] = [];
  let line = 1;
  let lineStart = 0;
  let counted = 0;
  for (const m of source.matchAll(MUSTACHE)) {
    const path = m[2]!;
    if (path.split('.').some((part) => RESERVED.has(part))) return undefined;
    const at = m.index + 2 + m[1]!.length;
    for (let i = source.indexOf('\n', counted); i >= 0 && i < at; i = source.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    counted = at;
    refs.push({ name: path.split('.')[0]!, path, line, col: at - lineStart + 1, optional: false });
  }
  return refs;
}
