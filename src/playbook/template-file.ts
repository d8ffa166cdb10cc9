// Template files (SPEC 5): a `.hbs` file is Handlebars with kvmplay's escaping by
// output format (the shipped templates); any other template file is Jinja, rendered
// with the settings of Ansible's template module (trim_blocks on, lstrip_blocks off,
// trailing newlines kept, a `#jinja2:` first line may override them), so a role's
// `.j2` files render as they do under Ansible.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { compileJinja, locate, type CompiledJinja, type JinjaOptions } from '../jinja/index.js';
import { parseExpr } from '../jinja/parse.js';
import { compileTemplate, renderTemplate, templateReferences, type CompiledTemplate, type TemplateFormat } from '../template/index.js';
import type { SourcePosition } from '../errors.js';
import { decryptVaultFile, isVaultFile } from '../vault/index.js';

export type TemplateFile = (
  | { engine: 'handlebars'; template: CompiledTemplate }
  | { engine: 'jinja'; template: CompiledJinja; /** 1 when a `#jinja2:` line was taken off the top. */ headerLines: number }
) & {
  /** The file is vault-encrypted: what it renders is a secret, never shown in a diff. */
  vaulted?: boolean;
};

/**
 * A template file's text: UTF-8, decrypted when vault-encrypted (Ansible's template
 * module reads its source through the vault). Throws VaultOpenError when no password opens it.
 */
export async function readTemplateSource(path: string): Promise<{ text: string; vaulted: boolean }> {
  const bytes = await readFile(path);
  const vaulted = isVaultFile(bytes);
  const plain = vaulted ? decryptVaultFile(bytes) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(plain), vaulted };
  } catch (e) {
    throw new Error('not a UTF-8 text file', { cause: e });
  }
}

export function isHandlebarsFile(path: string): boolean {
  return path.endsWith('.hbs');
}

const HEADER = '#jinja2:';
// The options a `#jinja2:` line may set, by Jinja's names.
const HEADER_OPTIONS: Readonly<Record<string, keyof JinjaOptions>> = {
  trim_blocks: 'trimBlocks', lstrip_blocks: 'lstripBlocks', keep_trailing_newline: 'keepTrailingNewline',
};

/**
 * Ansible's `#jinja2: trim_blocks: False, lstrip_blocks: True` first line: the options it
 * sets, and the template without that line. Unknown keys or non-boolean values are errors.
 */
export function jinjaHeader(source: string): { options: Partial<JinjaOptions>; body: string } {
  if (!source.startsWith(HEADER)) return { options: {}, body: source };
  const eol = source.indexOf('\n');
  const line = source.slice(HEADER.length, eol < 0 ? undefined : eol);
  const options: Partial<JinjaOptions> = {};
  for (const pair of line.split(',')) {
    if (pair.trim() === '') continue;
    const [key = '', value = ''] = pair.split(':').map((p) => p.trim());
    const option = HEADER_OPTIONS[key];
    if (option === undefined) throw new Error(`the #jinja2: line sets "${key}", which kvmplay does not support (it knows ${Object.keys(HEADER_OPTIONS).join(', ')})`);
    const parsed: unknown = value === 'True' || value === 'False' ? value === 'True' : safeLiteral(value);
    if (typeof parsed !== 'boolean') throw new Error(`the #jinja2: line sets ${key} to "${value}", which is not True or False`);
    (options as Record<string, boolean>)[option] = parsed;
  }
  return { options, body: eol < 0 ? '' : source.slice(eol + 1) };
}

function safeLiteral(text: string): unknown {
  try {
    const tree = parseExpr(text);
    return tree.kind === 'literal' ? tree.value : undefined;
  } catch {
    return undefined;
  }
}

/** The template module's defaults (Ansible: trim_blocks yes, lstrip_blocks no). */
const TEMPLATE_MODULE_OPTIONS: Readonly<JinjaOptions> = { trimBlocks: true, lstripBlocks: false, keepTrailingNewline: true };

export interface TemplateFileOptions {
  /** Shown in errors (relative when inside the working directory). */
  name: string;
  /** The file's path: `{% include %}` names are relative to its folder. */
  path: string;
  /** Handlebars output format; default from the name. */
  format?: TemplateFormat;
  /** The template module's trim_blocks/lstrip_blocks arguments (a `#jinja2:` line still wins, as in Ansible). */
  jinja?: Partial<Pick<JinjaOptions, 'trimBlocks' | 'lstripBlocks'>>;
}

/** Compile a template file; throws TemplateError (Handlebars), ExprSyntaxError (Jinja) or Error (bad #jinja2: line). */
export function compileTemplateFile(source: string, opts: TemplateFileOptions): TemplateFile {
  if (isHandlebarsFile(opts.path)) {
    return { engine: 'handlebars', template: compileTemplate(source, { name: opts.name, ...(opts.format ? { format: opts.format } : {}) }) };
  }
  const { options, body } = jinjaHeader(source);
  const dir = dirname(opts.path);
  return {
    engine: 'jinja',
    headerLines: body === source ? 0 : 1,
    template: compileJinja(body, {
      ...TEMPLATE_MODULE_OPTIONS,
      ...opts.jinja,
      ...options,
      name: opts.name,
      include: (name) => readFileSync(isAbsolute(name) ? name : resolve(join(dir, name)), 'utf8'),
    }),
  };
}

/** What Ansible's template module adds to a template's variables (exec/template-vars.ts gives the values). */
export const TEMPLATE_MODULE_VARIABLES: ReadonlySet<string> = new Set([
  'ansible_managed', 'template_host', 'template_path', 'template_fullpath', 'template_uid', 'template_mtime',
  'template_run_date', 'template_destpath',
]);

/** The variables a template file must have (unguarded reads), placed in the file. */
export function templateFileUses(file: TemplateFile, name: string): { name: string; pos: SourcePosition }[] {
  if (file.engine === 'handlebars') {
    return templateReferences(file.template.source, name)
      .filter((r) => !r.optional)
      .map((r) => ({ name: r.name, pos: { file: name, line: r.line ?? 1, col: r.col ?? 1 } }));
  }
  const { headerLines } = file;
  return file.template.variables().filter((r) => !r.guarded && !TEMPLATE_MODULE_VARIABLES.has(r.name)).map((r) => {
    const { line, column } = locate(file.template.source, r.pos);
    return { name: r.name, pos: { file: name, line: line + headerLines, col: column } };
  });
}

export function renderTemplateFile(file: TemplateFile, vars: Record<string, unknown>): string {
  return file.engine === 'handlebars' ? renderTemplate(file.template, vars) : file.template.render(vars);
}
