// Rendering task arguments (SPEC 4): every string is a template over the host's
// variables, and a string that is one `{{ expression }}` and nothing else keeps the
// expression's type, as in Ansible: `loop: "{{ vms }}"` is the list itself,
// `memory: "{{ kib vm.memory }}"` a number. Anything around the braces, even a
// space or a newline, makes the result a string.
import type { TemplateFormat } from './escape.js';
import { parseTemplate } from './parse.js';
import { compileParsed, evaluateExpression, renderTemplate, type CompiledTemplate, type TemplateVars } from './render.js';
import { isMustache } from './ast.js';

/** Compiled templates by name and source, shared by the hosts of one run. */
export type TemplateCache = Map<string, CompiledTemplate>;

export function createTemplateCache(): TemplateCache {
  return new Map();
}

export interface RenderValueContext {
  /** Label for errors, e.g. `playbooks/site.yaml:12:7 (task args)`. */
  name: string;
  /** Reuse compiled templates across hosts and tasks (recommended for a run). */
  cache?: TemplateCache;
}

// Task arguments are written by modules that quote for themselves; no escaping here.
const ARGUMENT_FORMAT: TemplateFormat = 'text';

function compiledFor(source: string, name: string, cache: TemplateCache | undefined): CompiledTemplate {
  const key = `${name}\0${source}`;
  const cached = cache?.get(key);
  if (cached) return cached;
  const program = parseTemplate(source, name);
  const [only, ...rest] = program.body;
  const lone = only !== undefined && rest.length === 0 && isMustache(only);
  const compiled = compileParsed(program, source, name, ARGUMENT_FORMAT, lone ? 'capture' : 'write');
  cache?.set(key, compiled);
  return compiled;
}

/** Render one string: typed when it is a lone `{{ expression }}`, else a string. */
export function renderString(source: string, vars: TemplateVars, ctx: RenderValueContext): unknown {
  if (!source.includes('{{')) return source; // not a template: no parse, no cache entry
  const compiled = compiledFor(source, ctx.name, ctx.cache);
  return compiled.mode === 'capture' ? evaluateExpression(compiled, vars) : renderTemplate(compiled, vars);
}

function keyLabel(name: string, path: string): string {
  return path === '' ? name : `${name} at ${path}`;
}

function walk(value: unknown, vars: TemplateVars, ctx: RenderValueContext, path: string): unknown {
  if (typeof value === 'string') return renderString(value, vars, { ...ctx, name: keyLabel(ctx.name, path) });
  if (Array.isArray(value)) return value.map((item, i) => walk(item, vars, ctx, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    // Keys are not templates (as in Ansible): only values are rendered.
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, vars, ctx, path === '' ? key : `${path}.${key}`);
    return out;
  }
  return value; // numbers, booleans, null: data, not templates
}

/**
 * Render task-argument data recursively: strings are templates, lists and maps are
 * walked, other values are returned as they are. Errors name `ctx.name` plus the
 * key path (`… (task args) at disks[0].size`).
 */
export function renderValue(value: unknown, vars: TemplateVars, ctx: RenderValueContext): unknown {
  return walk(value, vars, ctx, '');
}
