// The `template` lookup: a Jinja2 file on the control machine, found in templates/
// (search-path.ts), rendered with the task's variables as Ansible's lookup renders it —
// trim_blocks on, the file's trailing newlines kept, `{% include %}` searched from the
// template's own dir, and with convert_data a result that spells a list, dict or bool
// read back as one. The template's own lookups run with the same directories and the
// template's variables.
import path from 'node:path';
import type { Kwargs } from '../../jinja/builtin.js';
import { compileJinja } from '../../jinja/index.js';
import { LOOKUP_PROVIDER } from '../../jinja/lookups.js';
import { bareScalarVariable, literalValue, padTrailingNewlines } from '../../jinja/template-value.js';
import { pyStr } from '../../jinja/values.js';
import { boolOption, dictOption, type LookupPlugin, type PluginEnv, stringTerm } from './plugin.js';
import { isFile, readControlFile } from './control-files.js';
import { findInSearchPath, searchPath } from './search-path.js';
import { templateFileVars, withVariables } from '../template-vars.js';

// Ansible's delimiter options: kvmplay's Jinja has only the standard ones.
const DELIMITERS: Readonly<Record<string, string>> = {
  variable_start_string: '{{',
  variable_end_string: '}}',
  comment_start_string: '{#',
  comment_end_string: '#}',
};

export const TEMPLATE_LOOKUP: LookupPlugin = {
  options: ['convert_data', 'template_vars', 'jinja2_native', ...Object.keys(DELIMITERS)],
  run(terms, options, env) {
    const convertData = boolOption(options, 'convert_data', true, env.fail);
    // Ansible ignores jinja2_native unless jinja2_native is on globally, which kvmplay never is.
    boolOption(options, 'jinja2_native', false, env.fail);
    checkDelimiters(options, env.fail);
    const templateVars = dictOption(options, 'template_vars', env.fail);
    return terms.map((term) => renderTemplate(stringTerm(term, 'template', env.fail), templateVars, convertData, env));
  },
};

function checkDelimiters(options: Kwargs, fail: (m: string) => never): void {
  for (const [name, standard] of Object.entries(DELIMITERS)) {
    const value = options[name];
    if (value !== undefined && value !== null && value !== standard) {
      fail(`template: ${name}=${JSON.stringify(value)} is not supported; kvmplay's templates use the standard '${standard}'`);
    }
  }
}

function renderTemplate(name: string, templateVars: Record<string, unknown>, convertData: boolean, env: PluginEnv): unknown {
  const { ctx, fail } = env;
  const file = findInSearchPath(ctx, 'templates', name) ?? fail(`the template file ${name} could not be found for the lookup`);
  const source = readControlFile(file, fail, (why) => `the template file ${name} could not be read for the lookup: ${why}`);
  // Ansible hands text without any template syntax back untouched.
  if (!['{{', '{%', '{#'].some((start) => source.includes(start))) return source;
  const vars = withVariables(ctx.vars, { ...templateFileVars(name, file, null), ...templateVars });
  const scalar = bareScalarVariable(source, vars, { finalNewline: true });
  if (scalar !== undefined) return convertData ? scalar.value : pyStr(scalar.value);
  Object.defineProperty(vars, LOOKUP_PROVIDER, { value: env.nested(vars), enumerable: false });
  let text: string;
  try {
    const template = compileJinja(source, { name: file, trimBlocks: true, include: includeLoader(file, searchPath(ctx)) });
    text = template.render(vars);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  if (convertData) {
    const value = literalValue(text);
    if (typeof value !== 'string') return value;
  }
  return padTrailingNewlines(text, source);
}

/**
 * Jinja's FileSystemLoader over Ansible's search path for a template lookup: the
 * template's dir, then each search dir's templates/ and the dir itself. Names are
 * relative to those dirs (a leading `/` too); `..` is refused, as Jinja does.
 */
function includeLoader(templateFile: string, dirs: readonly string[]): (name: string) => string {
  const roots = [path.dirname(templateFile), ...dirs.flatMap((d) => [path.join(d, 'templates'), d])];
  return (name) => {
    const pieces = name.split('/').filter((p) => p !== '' && p !== '.');
    if (pieces.includes('..')) throw new Error(`template names may not contain '..'`);
    for (const root of roots) {
      const file = path.join(root, ...pieces);
      if (isFile(file)) {
        return readControlFile(file, (m) => {
          throw new Error(m);
        }, (why) => why);
      }
    }
    throw new Error(`not found in ${[...new Set(roots)].join(', ')}`);
  };
}
