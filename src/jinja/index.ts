// The condition language of `when`, `changed_when`, `failed_when` and `until` (SPEC 4):
// Jinja2 expressions, parsed once, evaluated safely against a host's variables; and
// whole templates (compileJinja) with Jinja2's statements and whitespace control.
import type { Node } from './ast.js';
import { ExprSyntaxError, locate } from './errors.js';
import { evaluateInFrame, evaluateTree } from './evaluate.js';
import { parseExpr } from './parse.js';
import { lexTemplate } from './template-lex.js';
import { parseTemplate } from './template-parse.js';
import { located, type RenderEnv, renderUnit, Scope, type TemplateUnit } from './template-render.js';
import { bareScalarVariable, keepsText, literalValue, padTrailingNewlines, singleValue } from './template-value.js';
import { templateVariables } from './template-variables.js';
import { truthy } from './values.js';
import { collectVariables, type VariableRef } from './variables.js';

export { ExprError, ExprSyntaxError, locate } from './errors.js';
export { truthy } from './values.js';
export type { VariableRef } from './variables.js';

export interface CompiledExpr {
  readonly source: string;
  /** The expression's value; throws ExprError (undefined variable, bad types). */
  evaluate(vars: Record<string, unknown>): unknown;
  /** Top-level variables read, each flagged `guarded` when it may safely be undefined. */
  variables(): VariableRef[];
}

// The tree stays private (not part of CompiledExpr) but reachable from this file,
// so variablesOfAll need not parse again what compileExpr already parsed.
class ParsedExpr implements CompiledExpr {
  readonly #tree: Node;
  constructor(readonly source: string, tree: Node) {
    this.#tree = tree;
  }

  evaluate(vars: Record<string, unknown>): unknown {
    return evaluateTree(this.#tree, this.source, vars);
  }

  variables(): VariableRef[] {
    return collectVariables([this.#tree]);
  }

  static treeOf(e: string | CompiledExpr): Node {
    return e instanceof ParsedExpr ? e.#tree : parseExpr(typeof e === 'string' ? e : e.source);
  }
}

/** Parse once; throws ExprSyntaxError with the 1-based column of the problem. */
export function compileExpr(source: string): CompiledExpr {
  return new ParsedExpr(source, parseExpr(source));
}

const compiled = (e: string | CompiledExpr): CompiledExpr => (typeof e === 'string' ? compileExpr(e) : e);

/** Python truthiness of the expression's value, as Ansible decides `when`. */
export function evaluateCondition(expr: string | CompiledExpr, vars: Record<string, unknown>): boolean {
  return truthy(compiled(expr).evaluate(vars));
}

/** Ansible's list form `when: [a, b]`: all must hold; stops at the first false one. */
export function evaluateAll(exprs: ReadonlyArray<string | CompiledExpr>, vars: Record<string, unknown>): boolean {
  return exprs.every((e) => evaluateCondition(e, vars));
}

/** variables() of a list of conditions taken together: `[x is defined, x > 1]` guards x. */
export function variablesOfAll(exprs: ReadonlyArray<string | CompiledExpr>): VariableRef[] {
  return collectVariables(exprs.map((e) => ParsedExpr.treeOf(e)));
}

export interface JinjaOptions {
  /** For error messages (file name). */
  name?: string;
  /** Drop the first newline after a block tag; default false (Jinja's default); Ansible's template module uses true. */
  trimBlocks?: boolean;
  /** Strip spaces and tabs before a block tag on its own line; default false. */
  lstripBlocks?: boolean;
  /**
   * Keep the template's final newlines, as Ansible does (its preserve_trailing_newlines,
   * which Ansible's templating always uses): the output ends with at least as many
   * newlines as the source; included templates still drop one, as in Ansible. Default
   * false: Jinja's default, which drops one trailing newline.
   */
  keepTrailingNewline?: boolean;
  /** Ansible's escape_backslashes (renderValue always applies it): in `{{ }}`, '\\d' is backslash-d. */
  escapeBackslashes?: boolean;
  /** The source of `{% include name %}`; throws when there is none. Without it, include is an error. */
  include?: (name: string) => string;
}

export interface CompiledJinja {
  readonly source: string;
  /** The rendered text. Throws ExprError (runtime, e.g. undefined variable) with line/column. */
  render(vars: Record<string, unknown>): string;
  /**
   * As Ansible 2.14 templates a variable (ansible_eval_concat): a template that is exactly
   * one `{{ expr }}` keeps a list or dict value; any other result is text, read back as a
   * list, dict or bool when it spells a Python literal of one (`[…`, `{…`, `True`, `False`).
   * Numbers come back as strings ("{{ 42 }}" is '42') and None as '', as in Ansible.
   */
  renderValue(vars: Record<string, unknown>): unknown;
  /**
   * kvmplay's value of a playbook string (its decision, as Ansible's jinja2_native and
   * ansible-core 2.19): a template that is exactly one `{{ expr }}` is the expression's
   * value with its type (list, dict, number, bool, None); any other is the rendered text,
   * read back as a list, dict or bool when it spells one (as Ansible does).
   */
  nativeValue(vars: Record<string, unknown>): unknown;
  /** Top-level variables the template reads (not loop variables, `set` targets, macro arguments), each flagged `guarded` when it may safely be undefined. */
  variables(): VariableRef[];
}

/** Throws ExprSyntaxError with 1-based line and column for bad syntax, unknown filters/tests. */
export function compileJinja(source: string, options: JinjaOptions = {}): CompiledJinja {
  return new Template(compileUnit(source, options), options);
}

/** Larger templates are refused before they are read (a playbook string or template file is far smaller). */
export const MAX_TEMPLATE_CHARS = 1024 * 1024;

function compileUnit(source: string, options: JinjaOptions): TemplateUnit {
  if (source.length > MAX_TEMPLATE_CHARS) {
    throw new ExprSyntaxError(source, 1, `template of ${source.length} characters, larger than ${MAX_TEMPLATE_CHARS}`, { at: { line: 1, name: options.name } });
  }
  try {
    // Trailing newlines are Jinja's (one dropped) here; render() pads them back for keepTrailingNewline.
    const segments = lexTemplate(source, { ...options, keepTrailingNewline: false });
    return { source, name: options.name, body: parseTemplate(source, segments).body };
  } catch (err) {
    if (!(err instanceof ExprSyntaxError) || err.line !== null) throw err;
    const { line, column } = locate(source, err.column - 1);
    throw new ExprSyntaxError(source, column, err.detail, { cause: err.cause, at: { line, name: options.name } });
  }
}

class Template implements CompiledJinja {
  readonly source: string;
  // Included templates compile once per Template, on first use.
  readonly #includes = new Map<string, TemplateUnit>();
  #valueUnit: TemplateUnit | undefined;
  constructor(readonly unit: TemplateUnit, readonly options: JinjaOptions) {
    this.source = unit.source;
  }

  #env(): RenderEnv {
    const loader = this.options.include;
    return {
      depth: 0,
      include: loader === undefined ? undefined : (name: string): TemplateUnit => {
        let unit = this.#includes.get(name);
        if (unit === undefined) {
          unit = compileUnit(loader(name), { ...this.options, name });
          this.#includes.set(name, unit);
        }
        return unit;
      },
    };
  }

  render(vars: Record<string, unknown>): string {
    return this.#pad(renderUnit(this.unit, new Scope(null, vars), this.#env()));
  }

  #pad(text: string): string {
    return this.options.keepTrailingNewline ? padTrailingNewlines(text, this.source) : text;
  }

  nativeValue(vars: Record<string, unknown>): unknown {
    const unit = this.#unitForValues();
    const [only, ...rest] = unit.body;
    // Jinja drops a final newline when it lexes, so "{{ x }}\n" parses as a lone output: it is text.
    if (only?.kind !== 'output' || rest.length > 0 || this.source.endsWith('\n')) {
      // Text, read back as Ansible reads it when it spells a list, dict or bool literal.
      const text = this.#pad(renderUnit(unit, new Scope(null, vars), this.#env()));
      return keepsText(this.source) ? text : literalValue(text);
    }
    try {
      return evaluateInFrame(only.expr, this.source, new Scope(null, vars));
    } catch (err) {
      throw located(err, unit);
    }
  }

  // Ansible templates variables with escape_backslashes, so they compile on their own.
  #unitForValues(): TemplateUnit {
    this.#valueUnit ??= this.source.includes('\\') && this.source.includes('{{')
      ? compileUnit(this.source, { ...this.options, escapeBackslashes: true }) : this.unit;
    return this.#valueUnit;
  }

  renderValue(vars: Record<string, unknown>): unknown {
    const bare = bareScalarVariable(this.source, vars);
    if (bare !== undefined) return bare.value;
    const unit = this.#unitForValues();
    const [only, ...rest] = unit.body;
    let value: unknown;
    if (only?.kind !== 'output' || rest.length > 0 || keepsText(this.source)) {
      const text = renderUnit(unit, new Scope(null, vars), this.#env());
      value = keepsText(this.source) ? text : literalValue(text);
    } else {
      try {
        value = singleValue(evaluateInFrame(only.expr, this.source, new Scope(null, vars)));
      } catch (err) {
        throw located(err, unit);
      }
    }
    return typeof value === 'string' ? this.#pad(value) : value;
  }

  variables(): VariableRef[] {
    return templateVariables(this.unit.body);
  }
}
