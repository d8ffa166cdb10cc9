// The strings of a playbook (task arguments, vars, loop, name, hosts…) are Jinja, as in
// Ansible: rendered with the settings of Ansible's templar (trim_blocks on, trailing
// newlines kept) and typed as kvmplay decided (CompiledJinja.nativeValue: a lone
// `{{ expr }}` keeps its type). A compiled template depends on its text alone, so one
// cache serves every host and task of a run.
import { ExprError, ExprSyntaxError } from './errors.js';
import { compileJinja, type CompiledJinja, type JinjaOptions } from './index.js';

export const PLAYBOOK_STRING_OPTIONS: Readonly<JinjaOptions> = { trimBlocks: true, keepTrailingNewline: true };

export type JinjaCache = Map<string, CompiledJinja>;

export function createJinjaCache(): JinjaCache {
  return new Map();
}

/** Whether Jinja would treat the text as a template (Ansible's is_template). */
export function isTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#');
}

/** Compile a playbook string once per cache; throws ExprSyntaxError with line and column. */
export function compilePlaybookString(text: string, cache?: JinjaCache): CompiledJinja {
  let compiled = cache?.get(text);
  if (compiled === undefined) {
    compiled = compileJinja(text, PLAYBOOK_STRING_OPTIONS);
    cache?.set(text, compiled);
  }
  return compiled;
}

export interface RenderStringContext {
  /** Says where the string is in errors, e.g. `site.yaml:12:7 (task arguments).disks[0]`. */
  name: string;
  cache?: JinjaCache | undefined;
}

/** The value of one playbook string for these variables; errors (ExprError) start with ctx.name. */
export function renderString(text: string, vars: Record<string, unknown>, ctx: RenderStringContext): unknown {
  if (!isTemplate(text)) return text;
  try {
    return compilePlaybookString(text, ctx.cache).nativeValue(vars);
  } catch (err) {
    if (err instanceof ExprError || err instanceof ExprSyntaxError) {
      throw new ExprError(`${ctx.name}: ${err.message}`, null, { cause: err });
    }
    throw err;
  }
}
