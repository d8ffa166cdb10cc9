// The condition language of `when`, `changed_when`, `failed_when` and `until` (SPEC 4):
// Jinja2 expressions, parsed once, evaluated safely against a host's variables.
import type { Node } from './ast.js';
import { evaluateTree } from './evaluate.js';
import { parseExpr } from './parse.js';
import { truthy } from './values.js';
import { collectVariables, type VariableRef } from './variables.js';

export { ExprError, ExprSyntaxError } from './errors.js';
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
